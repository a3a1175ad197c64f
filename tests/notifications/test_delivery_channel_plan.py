"""The channel plan per jurisdiction, from the rule files and a notice's overrides (no database)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from notifications.delivery.plan import DELIVERABLE, ChannelPlan, build_plan, default_plan, validate_overrides

ALL = ["email", "sms", "push"]


def test_california_counts_email_as_notice_with_post_as_the_fallback_and_push_and_sms_as_alerts():
    plan = default_plan(residence="US-CA", notice_channels=ALL, rule_codes=[])

    assert plan.legal == ("email",)
    assert plan.alerts == ("push", "sms")
    assert plan.offline == "letter"
    assert "website posting" in plan.substitute_notice
    assert plan.rules == ("US-CA",)


def test_in_germany_the_gdpr_lets_sms_count_as_notice_too():
    plan = default_plan(residence="DE", notice_channels=ALL, rule_codes=[])

    assert plan.legal == ("email", "sms")
    assert plan.alerts == ("push",)
    assert plan.offline == "letter"


def test_a_place_without_a_rule_gets_email_as_notice_and_post_as_fallback():
    plan = default_plan(residence="AQ", notice_channels=ALL, rule_codes=[])

    assert plan.legal == ("email",)
    assert plan.offline == "letter"
    assert plan.rules == ()


def test_only_channels_the_notice_was_written_for_are_planned():
    plan = default_plan(residence="DE", notice_channels=["email"], rule_codes=[])

    assert plan.legal == ("email",)
    assert plan.alerts == ()


def test_overrides_change_one_jurisdiction_and_the_default_for_all():
    plan = build_plan(
        residences=["US-CA", "DE"],
        notice_channels=ALL,
        rule_codes=[],
        overrides={"*": {"fallback": ["sms"]}, "US-CA": {"alerts": ["push"], "offline": "substitute"}},
    )

    assert plan.for_jurisdiction("US-CA").alerts == ("push",)
    assert plan.for_jurisdiction("US-CA").offline == "substitute"
    assert plan.for_jurisdiction("US-CA").fallback == ("sms",)
    assert plan.for_jurisdiction("DE").fallback == ("sms",)
    assert plan.for_jurisdiction("FR").legal == ("email",), "unknown codes use the default plan"


def test_a_plan_survives_its_json_form():
    plan = build_plan(residences=["US-CA", "DE"], notice_channels=ALL, rule_codes=[])

    assert ChannelPlan.from_json(plan.as_json()) == plan


@pytest.mark.parametrize(
    "overrides",
    [
        {"US-CA": {"legal": ["fax"]}},
        {"US-CA": {"offline": "pigeon"}},
        {"US-CA": {"order": ["email"]}},
        {"US-CA": ["email"]},
        ["email"],
    ],
)
def test_bad_overrides_are_refused(overrides):
    with pytest.raises(ValidationError):
        validate_overrides(overrides)


@given(
    legal=st.lists(st.sampled_from(DELIVERABLE), unique=True),
    alerts=st.lists(st.sampled_from(DELIVERABLE), unique=True),
    notice_channels=st.lists(st.sampled_from(DELIVERABLE), unique=True, min_size=1),
)
def test_every_planned_channel_is_used_once_and_legal_ones_come_first(legal, alerts, notice_channels):
    plan = build_plan(
        residences=["US-CA"], notice_channels=notice_channels, rule_codes=[],
        overrides={"US-CA": {"legal": legal, "alerts": alerts}},
    ).for_jurisdiction("US-CA")

    assert len(plan.channels) == len(set(plan.channels))
    assert plan.channels[: len(legal)] == tuple(legal)
    assert set(plan.channels) == set(legal) | set(alerts)
