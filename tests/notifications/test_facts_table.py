"""One table of facts before approval: what every channel and language says, and refusals when they differ."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from incidents.errors import Conflict
from notifications.notices import reader_checks, services
from notifications.notices.facts_table import facts_table
from tests.notifications.conftest import approved, complete


def test_the_table_lists_each_fact_with_the_channels_and_languages_that_say_it(individual_notice, responder):
    notice = complete(individual_notice, responder)
    table = reader_checks.version_facts_table(notice.current_version)
    rows = {(row.kind, row.value): row for row in table.rows}
    password = rows[("category", "password")]
    assert {("email", "en"), ("email", "zh-hans"), ("letter", "en"), ("letter", "zh-hans")} <= password.seen
    assert ("date", "2026-03-26") in rows and ("date", "2026-03-27") in rows  # the sample reader is in Beijing
    assert table.problems == []


def test_a_date_only_the_chinese_text_gives_refuses_approval(individual_notice, responder, legal):
    notice = complete(individual_notice, responder)
    notice = services.notice_edit(actor=responder, notice=notice, language="zh-hans", elements={
        "dates": "事件大约发生于2026年3月20日。我们于[[aware_at]]发现了该事件。"})
    notice = services.notice_transition(actor=responder, notice=notice, name="submit")
    with pytest.raises(Conflict, match=r"The email says 2026-03-20 in zh-hans but not in en, de\."):
        services.notice_transition(actor=legal, notice=notice, name="approve")


def test_a_count_in_one_language_only_is_a_disagreement():
    table = facts_table([("email", "en", "About 1,500 people are concerned."),
                         ("email", "zh-hans", "约有1,600人受到影响。")], facts={})
    assert "The email says 1,500 in en but not in zh-hans." in table.problems
    assert "The email says 1,600 in zh-hans but not in en." in table.problems


def test_an_unfilled_value_refuses_approval():
    table = facts_table([("email", "en", "Call centre: +1 800 555 0100 (—)\nE-mail: —")], facts={})
    assert any(problem.startswith("Unfilled value in the email (en)") for problem in table.problems)


def test_claiming_a_filing_before_one_is_recorded_refuses_approval(individual_notice, responder):
    notice = complete(individual_notice, responder)
    notice = services.notice_edit(actor=responder, notice=notice, language="en", elements={
        "measures_taken": "We have informed the authorities where the law requires it."})
    notice = services.notice_edit(actor=responder, notice=notice, language="zh-hans", elements={
        "measures_taken": "我们已通知监管机构。"})
    problems = reader_checks.reader_problems(notice.current_version)
    assert any("claims \"We have informed an authority\" but no such event is recorded" in p for p in problems)


def test_a_filing_is_told_with_its_date_once_it_was_recorded(responder, legal, assessed_incident):
    from notifications.notices.services import regulator_submission_record

    obligation = assessed_incident.obligations.filter(audience="regulator", jurisdiction="SG").first()
    regulator_submission_record(actor=legal, obligation=obligation, filed_at=datetime(2026, 3, 28, 2, 0, tzinfo=UTC),
                                channel="PDPC online form", reference="PDPC-1")
    notice = next(n for n in services.notices_draft(actor=responder, incident=assessed_incident)
                  if n.audience == "individuals")
    measures = notice.current_version.text("en", "measures_taken")
    assert f"We reported the breach to {obligation.authority} on 28 March 2026" in measures
    assert reader_checks.version_facts_table(complete(notice, responder).current_version).problems == []


def test_the_approval_page_shows_the_facts_table(individual_notice, responder, legal):
    notice = approved(individual_notice, responder, legal)
    client = Client()
    client.force_login(legal)
    page = client.get(f"/notices/{notice.pk}/").content.decode()
    assert "Facts in every channel and language" in page
    assert "<th scope=\"col\">sms · zh-hans</th>" in page and "Data category: Password" in page
    assert "Every channel and language agrees." in page
