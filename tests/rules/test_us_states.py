"""US states, DC and territories: coverage, deadlines with real dates, and every head-count boundary."""

import pytest

from incidents.rules.engine import facts_from_json, plan, plan_to_json
from incidents.rules.jurisdictions import us_subdivisions
from incidents.rules.loader import RULES_DIR, load_rules

RULES = load_rules()
NAME_SSN = ["name", "ssn"]
# American Samoa, the Northern Mariana Islands and the minor outlying islands are not in the reference sheet.
NOT_IN_REFERENCE = {"US-AS", "US-MP", "US-UM"}


def _plan(facts):
    return plan_to_json(plan(facts_from_json(facts), RULES))


def _obligation(output, rule_code):
    found = [item for item in output["obligations"] if item["rule_code"] == rule_code]
    assert len(found) == 1, f"{rule_code}: {found or output['not_required']}"
    return found[0]


def _not_required(output, rule_code):
    return next(item for item in output["not_required"] if item["rule_code"] == rule_code)


def test_every_state_dc_and_territory_in_the_reference_has_its_own_rule_file():
    missing = [code for code in sorted(us_subdivisions() - NOT_IN_REFERENCE) if RULES.get(code) is None]
    assert missing == []
    for code in us_subdivisions() - NOT_IN_REFERENCE:
        assert RULES.covering(code) == [code]


@pytest.mark.parametrize("alias", ["PR", "GU", "VI"])
def test_people_counted_under_a_territory_country_code_engage_the_territory_rule(alias):
    output = _plan({"aware_at": "2026-03-02T09:00:00Z", "affected": {alias: 3}, "data_categories": NAME_SSN})
    assert _obligation(output, f"US-{alias}:residents")["affected_count"] == 3
    assert not [w for w in output["warnings"] if w["code"] == "no_rule"]


DEADLINES = [
    # (what the law says, facts, rule code, due_at in UTC)
    ("Texas AG: 30 days after determination, 250 Texans",
     {"aware_at": "2026-03-02T09:00:00-06:00", "determined_at": "2026-03-05T10:00:00-06:00",
      "affected": {"US-TX": 250}}, "US-TX:attorney_general", "2026-04-05T04:59:59Z"),
    ("Texas residents: 60 days after determination, across the change to daylight time",
     {"aware_at": "2026-03-02T09:00:00-06:00", "determined_at": "2026-03-05T10:00:00-06:00",
      "affected": {"US-TX": 5}}, "US-TX:residents", "2026-05-05T04:59:59Z"),
    ("Iowa AG: 5 business days after the Friday resident notice, Thanksgiving skipped",
     {"aware_at": "2026-11-16T09:00:00-06:00", "individual_notice_sent_at": "2026-11-20T16:00:00-06:00",
      "affected": {"US-IA": 501}}, "US-IA:attorney_general", "2026-12-01T05:59:59Z"),
    ("Vermont AG: 14 business days after discovery, Thanksgiving skipped",
     {"aware_at": "2026-11-16T09:00:00-05:00", "affected": {"US-VT": 1}}, "US-VT:attorney_general",
     "2026-12-08T04:59:59Z"),
    ("Puerto Rico DACO: 10 days after detection, no daylight saving time",
     {"aware_at": "2026-03-02T09:00:00-04:00", "affected": {"US-PR": 1}}, "US-PR:daco", "2026-03-13T03:59:59Z"),
    ("Alabama AG: 45 days after determination",
     {"aware_at": "2026-03-02T09:00:00-06:00", "determined_at": "2026-03-04T10:00:00-06:00",
      "affected": {"US-AL": 1001}, "risk": "high"}, "US-AL:attorney_general", "2026-04-19T04:59:59Z"),
    ("Louisiana AG: received within 10 days after the resident notice",
     {"aware_at": "2026-03-02T09:00:00-06:00", "individual_notice_sent_at": "2026-03-20T10:00:00-05:00",
      "affected": {"US-LA": 1}}, "US-LA:attorney_general", "2026-03-31T04:59:59Z"),
    ("New York residents: 30 days after discovery",
     {"aware_at": "2026-10-20T09:00:00-04:00", "affected": {"US-NY": 1}}, "US-NY:residents",
     "2026-11-20T04:59:59Z"),
    ("Washington AG: 30 days after discovery, above 500",
     {"aware_at": "2026-10-20T09:00:00-07:00", "affected": {"US-WA": 501}}, "US-WA:attorney_general",
     "2026-11-20T07:59:59Z"),
    ("Minnesota CRAs: 48 hours, elapsed time",
     {"aware_at": "2026-03-07T09:00:00-06:00", "affected": {"US-MN": 501}}, "US-MN:consumer_reporting_agencies",
     "2026-03-09T15:00:00Z"),
    ("Oregon vendor to owner: 10 days",
     {"aware_at": "2026-03-02T09:00:00-08:00", "affected": {"US-OR": 1}, "role": "processor"},
     "US-OR:vendor_to_owner", "2026-03-13T06:59:59Z"),
    ("Oklahoma AG: 60 days after the resident notice, 500 or more",
     {"aware_at": "2026-03-02T09:00:00-06:00", "individual_notice_sent_at": "2026-03-20T10:00:00-05:00",
      "affected": {"US-OK": 500}}, "US-OK:attorney_general", "2026-05-20T04:59:59Z"),
    ("Connecticut AG: no later than the resident notice itself",
     {"aware_at": "2026-03-02T09:00:00-05:00", "individual_notice_sent_at": "2026-03-20T10:00:00-04:00",
      "affected": {"US-CT": 1}}, "US-CT:attorney_general", "2026-03-20T14:00:00Z"),
    ("Maryland residents: 45 days after discovery since HB 962",
     {"aware_at": "2026-03-02T09:00:00-05:00", "affected": {"US-MD": 1}}, "US-MD:residents", "2026-04-17T03:59:59Z"),
]


@pytest.mark.parametrize(("label", "facts", "rule_code", "due_at"), DEADLINES, ids=[row[0] for row in DEADLINES])
def test_state_deadlines_fall_on_the_right_instant(label, facts, rule_code, due_at):
    output = _plan({"data_categories": NAME_SSN, **facts})
    assert _obligation(output, rule_code)["due_at"] == due_at


BOUNDARIES = [
    # (rule code, largest head-count that does not trigger, smallest that does); the table's comparison words
    ("US-AK:consumer_reporting_agencies", 1000, 1001),
    ("US-AL:attorney_general", 1000, 1001),
    ("US-AL:consumer_reporting_agencies", 1000, 1001),
    ("US-AR:attorney_general", 1000, 1001),
    ("US-AZ:attorney_general", 1000, 1001),
    ("US-AZ:homeland_security", 1000, 1001),
    ("US-AZ:consumer_reporting_agencies", 1000, 1001),
    ("US-CO:attorney_general", 499, 500),
    ("US-CO:consumer_reporting_agencies", 999, 1000),
    ("US-DC:attorney_general", 49, 50),
    ("US-DC:consumer_reporting_agencies", 1000, 1001),
    ("US-DE:attorney_general", 500, 501),
    ("US-FL:legal_affairs", 499, 500),
    ("US-FL:consumer_reporting_agencies", 1000, 1001),
    ("US-GA:consumer_reporting_agencies", 10000, 10001),
    ("US-HI:consumer_protection", 1000, 1001),
    ("US-HI:consumer_reporting_agencies", 1000, 1001),
    ("US-IA:attorney_general", 500, 501),
    ("US-IL:attorney_general", 500, 501),
    ("US-IN:consumer_reporting_agencies", 1000, 1001),
    ("US-KS:consumer_reporting_agencies", 1000, 1001),
    ("US-KY:consumer_reporting_agencies", 1000, 1001),
    ("US-MD:consumer_reporting_agencies", 999, 1000),
    ("US-ME:consumer_reporting_agencies", 1000, 1001),
    ("US-MI:consumer_reporting_agencies", 999, 1000),
    ("US-MN:consumer_reporting_agencies", 500, 501),
    ("US-MO:attorney_general", 1000, 1001),
    ("US-MO:consumer_reporting_agencies", 1000, 1001),
    ("US-NC:consumer_reporting_agencies", 1000, 1001),
    ("US-ND:attorney_general", 250, 251),
    ("US-NH:consumer_reporting_agencies", 1000, 1001),
    ("US-NJ:consumer_reporting_agencies", 1000, 1001),
    ("US-NM:attorney_general", 1000, 1001),
    ("US-NM:consumer_reporting_agencies", 1000, 1001),
    ("US-NV:consumer_reporting_agencies", 1000, 1001),
    ("US-NY:consumer_reporting_agencies", 5000, 5001),
    ("US-OH:consumer_reporting_agencies", 1000, 1001),
    ("US-OK:attorney_general", 499, 500),
    ("US-OR:attorney_general", 250, 251),
    ("US-OR:vendor_to_attorney_general", 250, 251),
    ("US-OR:consumer_reporting_agencies", 1000, 1001),
    ("US-PA:attorney_general", 500, 501),
    ("US-PA:consumer_reporting_agencies", 499, 500),
    ("US-RI:attorney_general", 500, 501),
    ("US-RI:consumer_reporting_agencies", 500, 501),
    ("US-SC:consumer_affairs", 999, 1000),
    ("US-SC:consumer_reporting_agencies", 999, 1000),
    ("US-SD:attorney_general", 250, 251),
    ("US-TN:consumer_reporting_agencies", 1000, 1001),
    ("US-TX:attorney_general", 249, 250),
    ("US-TX:consumer_reporting_agencies", 10000, 10001),
    ("US-UT:attorney_general", 499, 500),
    ("US-UT:cyber_center", 499, 500),
    ("US-UT:consumer_reporting_agencies", 999, 1000),
    ("US-VA:consumer_reporting_agencies", 1000, 1001),
    ("US-VT:consumer_reporting_agencies", 1000, 1001),
    ("US-WA:attorney_general", 500, 501),
    ("US-WI:consumer_reporting_agencies", 999, 1000),
    ("US-WV:consumer_reporting_agencies", 1000, 1001),
]


# States whose duties bind only organisations of a kind the organisation declares as a regime.
DECLARED_KIND = {"US-GA": ["US-GA-BROKER-OR-COLLECTOR"]}


def _boundary_facts(rule_code, count):
    code = rule_code.split(":")[0]
    role = "processor" if ":vendor_" in rule_code else "controller"
    return {"aware_at": "2026-06-01T09:00:00Z", "individual_notice_sent_at": "2026-06-20T09:00:00Z",
            "affected": {code: count}, "data_categories": NAME_SSN, "risk": "high", "role": role,
            "regimes": DECLARED_KIND.get(code, [])}


@pytest.mark.parametrize(("rule_code", "below", "at_or_above"), BOUNDARIES, ids=[row[0] for row in BOUNDARIES])
def test_state_head_count_thresholds_use_the_exact_comparison(rule_code, below, at_or_above):
    assert _not_required(_plan(_boundary_facts(rule_code, below)), rule_code)["reason_code"] == "below_threshold"
    assert _obligation(_plan(_boundary_facts(rule_code, at_or_above)), rule_code)["affected_count"] == at_or_above


def test_every_state_threshold_is_in_the_boundary_table():
    listed = {row[0] for row in BOUNDARIES}
    state_rules = [rule for rule in RULES if rule.residence and rule.code.startswith("US-") and rule.code != "US-CA"]
    with_threshold = {f"{rule.code}:{duty.id}" for rule in state_rules for duty in rule.duties if duty.threshold}
    assert with_threshold == listed


@pytest.mark.parametrize(
    ("rule_code", "count"),
    [("US-CO:attorney_general", 600), ("US-SC:consumer_affairs", 1000), ("US-UT:attorney_general", 500)],
)
def test_conflicting_or_single_source_state_facts_are_shown_unconfirmed(rule_code, count):
    obligation = _obligation(_plan(_boundary_facts(rule_code, count)), rule_code)
    assert obligation["status"] == "unconfirmed"
    assert obligation["unconfirmed"] is True


def test_a_state_rule_not_yet_in_force_on_the_clock_start_day_says_so():
    facts = _boundary_facts("US-OK:attorney_general", 800)
    facts.update(aware_at="2025-12-01T09:00:00-06:00", individual_notice_sent_at="2025-12-31T10:00:00-06:00")
    assert _not_required(_plan(facts), "US-OK:attorney_general")["reason_code"] == "not_in_force"
    facts["individual_notice_sent_at"] = "2026-01-01T10:00:00-06:00"
    assert _obligation(_plan(facts), "US-OK:attorney_general")["due_at"] == "2026-03-03T05:59:59Z"


PLACEHOLDERS = ("California's combinations", "not in the reference sheet")
STATES_AND_DC = sorted(us_subdivisions() - NOT_IN_REFERENCE - {"US-PR", "US-GU", "US-VI"})


def test_no_rule_file_keeps_the_placeholder_for_covered_data():
    found = [
        f"{path.name}: {phrase!r}" for path in sorted(RULES_DIR.glob("*.toml"))
        for phrase in PLACEHOLDERS if phrase in path.read_text(encoding="utf-8")
    ]
    assert found == []


@pytest.mark.parametrize("code", STATES_AND_DC)
def test_every_state_notifies_residents_on_its_own_statutory_definition_of_covered_data(code):
    rule = RULES.get(code)
    residents = [duty for duty in rule.duties if duty.audience == "individuals"]
    assert residents and all(duty.covered_data and not duty.categories for duty in residents)
    for duty in residents:
        assert all(definition.clause.strip() for definition in rule.definition_versions(duty.covered_data))


@pytest.mark.parametrize("code", STATES_AND_DC)
def test_every_state_has_examples_of_covered_data_uncovered_data_and_its_encryption_harbour(code):
    rule = RULES.get(code)
    residents = {f"{code}:{duty.id}" for duty in rule.duties if duty.audience == "individuals"}
    expected = [entry for example in rule.examples for entry in example.expect]
    ruled_out = {entry.get("reason_code") for example in rule.examples for entry in example.expect_not}
    assert any(entry.get("rule_code") in residents for entry in expected), "no example where residents are notified"
    assert "categories_not_covered" in ruled_out, "no example of data the statute does not cover"
    if any(harbour.kind == "encryption" for harbour in rule.safe_harbours.values()):
        assert "safe_harbour" in ruled_out, "no example of the encryption safe harbour"


def test_georgia_binds_only_information_brokers_and_data_collectors():
    facts = {"aware_at": "2026-03-02T09:00:00-05:00", "affected": {"US-GA": 20000}, "data_categories": NAME_SSN}
    assert _not_required(_plan(facts), "US-GA:residents")["reason_code"] == "regime"
    facts["regimes"] = ["US-GA-BROKER-OR-COLLECTOR"]
    assert _obligation(_plan(facts), "US-GA:residents")["due_at"] is None
