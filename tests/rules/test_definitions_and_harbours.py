"""Covered data as the statute defines it (effective-dated versions) and safe harbours as data."""

import tomllib
from pathlib import Path

import pytest

from incidents.rules.engine import FactsError, facts_from_json, plan, plan_to_json
from incidents.rules.loader import RuleSet, load_rule_file
from incidents.rules.schema import RuleFileError, rule_from_toml

# A state modelled on New York's GBL 899-aa: medical and health-insurance data joined the
# definition on 2025-03-21; encryption is lost with the key; a no-harm determination and
# redaction lift the resident notice.
STATE = """
code = "US-NY"
name = "Test state"
law = "N.Y. Gen. Bus. Law"
status = "confirmed"
time_zone = "America/New_York"
effective_from = 2005-12-07
last_verified = 2026-12-06
sources = ["https://example.org/statute"]

[applies]
residence = ["US-NY"]

[authorities]
residents = { name = "Affected residents", status = "confirmed" }
attorney_general = { name = "Attorney General", status = "confirmed" }

[[definitions]]
id = "private_information"
clause = "899-aa(1)(b)"
effective_to = 2025-03-20
with_name = [["ssn"], ["account_number", "access_code"]]
alone = [["username", "password"]]

[[definitions]]
id = "private_information"
clause = "899-aa(1)(b), as amended by S2659-B (2024)"
effective_from = 2025-03-21
with_name = [["ssn"], ["account_number", "access_code"], ["health"], ["health_insurance"]]
alone = [["username", "password"]]

[[safe_harbours]]
id = "encryption"
kind = "encryption"
clause = "899-aa(1)(b)"
key_exception = true

[[safe_harbours]]
id = "redaction"
kind = "redaction"
clause = "899-aa(1)(b)"

[[safe_harbours]]
id = "no_harm"
kind = "no_risk_of_harm"
clause = "899-aa(2)(a)"
conditions = "inadvertent disclosure by authorised persons; determination in writing, kept five years"

[[duties]]
id = "residents"
audience = "individuals"
clause = "899-aa(2)"
timing = "in the most expedient time possible and without unreasonable delay, within 30 days"
clock_start = "aware"
deadline = { unit = "calendar_days", amount = 30 }
authority = "residents"
covered_data = "private_information"
safe_harbours = ["encryption", "redaction", "no_harm"]

[[duties]]
id = "attorney_general"
audience = "regulator"
clause = "899-aa(8)(a)"
timing = "at the same time as residents"
clock_start = "aware"
deadline = { unit = "none" }
authority = "attorney_general"
after_duty = "residents"
"""


@pytest.fixture(scope="module")
def rules(tmp_path_factory) -> RuleSet:
    path = tmp_path_factory.mktemp("rules") / "us-ny.toml"
    path.write_text(STATE, encoding="utf-8")
    return RuleSet(rules=(load_rule_file(path),))


def _plan(rules, explain=False, **facts):
    data = {"aware_at": "2025-04-01T09:00:00-04:00", "affected": {"US-NY": 10}, "data_categories": ["name", "ssn"],
            **facts}
    return plan_to_json(plan(facts_from_json(data, regimes=frozenset()), rules), explain=explain)


def _outcome(output, rule_code):
    found = [entry for entry in output["obligations"] if entry["rule_code"] == rule_code]
    if found:
        return "required"
    return next(entry["reason_code"] for entry in output["not_required"] if entry["rule_code"] == rule_code)


@pytest.mark.parametrize(
    ("aware_at", "outcome"),
    [
        ("2025-02-14T09:00:00-05:00", "categories_not_covered"),
        ("2025-03-20T23:59:00-04:00", "categories_not_covered"),
        ("2025-03-21T00:01:00-04:00", "required"),
    ],
)
def test_medical_data_are_covered_only_from_the_day_the_new_definition_took_effect(rules, aware_at, outcome):
    output = _plan(rules, aware_at=aware_at, data_categories=["name", "health"])
    assert _outcome(output, "US-NY:residents") == outcome


def test_with_name_combinations_need_the_name_and_alone_combinations_do_not(rules):
    assert _outcome(_plan(rules, data_categories=["ssn"]), "US-NY:residents") == "categories_not_covered"
    assert _outcome(_plan(rules, data_categories=["name", "ssn"]), "US-NY:residents") == "required"
    assert _outcome(_plan(rules, data_categories=["username", "password"]), "US-NY:residents") == "required"


def test_the_reason_names_the_definition_version_that_decided(rules):
    output = _plan(rules, aware_at="2025-02-14T09:00:00-05:00", data_categories=["name", "health"])
    entry = output["not_required"][0]
    assert "899-aa(1)(b), version in force on 2025-02-14 (2005-12-07 to 2025-03-20)" in entry["reason"]


@pytest.mark.parametrize(
    ("facts", "outcome"),
    [
        ({"encrypted": True}, "safe_harbour"),
        ({"encrypted": True, "key_compromised": True}, "required"),
        ({"redacted": True}, "safe_harbour"),
        ({"no_harm_determination": {"by": "legal.lee", "at": "2025-04-03T10:00:00-04:00",
                                    "reason": "Sent to one vetted employee by mistake; deleted unread."}},
         "safe_harbour"),
        ({}, "required"),
    ],
)
def test_each_safe_harbour_lifts_the_duty_only_on_its_own_fact(rules, facts, outcome):
    assert _outcome(_plan(rules, **facts), "US-NY:residents") == outcome


def test_a_no_harm_determination_is_quoted_with_its_author(rules):
    output = _plan(rules, no_harm_determination={"by": "legal.lee", "at": "2025-04-03T10:00:00-04:00",
                                                 "reason": "Deleted unread."})
    entry = next(e for e in output["not_required"] if e["rule_code"] == "US-NY:residents")
    assert "legal.lee determined on 2025-04-03T10:00:00-04:00" in entry["reason"]
    assert "kept five years" in entry["reason"]


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"at": "2025-04-03T10:00:00-04:00", "reason": "r"}, "no_harm_determination.by"),
        ({"by": "  ", "at": "2025-04-03T10:00:00-04:00", "reason": "r"}, "no_harm_determination.by"),
        ({"by": "lee", "at": "2025-04-03T10:00:00", "reason": "r"}, "no_harm_determination.at"),
        ({"by": "lee", "at": "2025-04-03T10:00:00Z"}, "no_harm_determination.reason"),
        ({"by": "lee", "at": "2025-04-03T10:00:00Z", "reason": "r", "risk": "low"}, "no_harm_determination.risk"),
        (True, "no_harm_determination"),
    ],
)
def test_a_no_harm_determination_without_author_time_or_reason_is_refused_naming_the_field(value, field):
    with pytest.raises(FactsError) as error:
        facts_from_json({"aware_at": "2025-04-01T09:00:00Z", "affected": {}, "data_categories": [],
                         "no_harm_determination": value}, regimes=frozenset())
    assert error.value.field == field


def test_redacted_must_be_a_boolean():
    with pytest.raises(FactsError) as error:
        facts_from_json({"aware_at": "2025-04-01T09:00:00Z", "affected": {}, "data_categories": [],
                         "redacted": "yes"}, regimes=frozenset())
    assert error.value.field == "redacted"


def test_an_encryption_harbour_without_the_key_exception_survives_a_compromised_key(tmp_path):
    text = STATE.replace('key_exception = true', 'key_exception = false')
    path = tmp_path / "us-ny.toml"
    path.write_text(text, encoding="utf-8")
    rules = RuleSet(rules=(load_rule_file(path),))
    assert _outcome(_plan(rules, encrypted=True, key_compromised=True), "US-NY:residents") == "safe_harbour"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('covered_data = "private_information"', 'covered_data = "personal_information"', "duties[0].covered_data"),
        ('covered_data = "private_information"',
         'covered_data = "private_information"\ncategories = [["name", "ssn"]]', "duties[0].covered_data"),
        ('effective_from = 2025-03-21', 'effective_from = 2025-03-20', "definitions[1].id"),
        ('alone = [["username", "password"]]\n\n[[safe', 'alone = [["username", "passcode"]]\n\n[[safe',
         "definitions[1].alone[0][1]"),
        ('with_name = [["ssn"], ["account_number", "access_code"]]\nalone = [["username", "password"]]\n\n[[def',
         'with_name = []\n\n[[def', "definitions[0]"),
        ('safe_harbours = ["encryption", "redaction", "no_harm"]', 'safe_harbours = ["encryption", "harm"]',
         "duties[0].safe_harbours[1]"),
        ('id = "redaction"', 'id = "encryption"', "safe_harbours[1].id"),
        ('conditions = "inadvertent', 'key_exception = true\nconditions = "inadvertent', "safe_harbours[2].key_exception"),
        ('deadline = { unit = "calendar_days", amount = 30 }', 'deadline = { unit = "after_calendar_year" }',
         "duties[0].deadline.amount"),
    ],
)
def test_a_broken_definition_or_harbour_fails_naming_the_field(old, new, field):
    assert old in STATE
    with pytest.raises(RuleFileError) as error:
        rule_from_toml(tomllib.loads(STATE.replace(old, new, 1)), Path("us-ny.toml"))
    assert error.value.field_path == field
