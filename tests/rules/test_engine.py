"""The planner on whole scenarios: facts in, obligations and reasons out."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidents.rules import Facts, FactsError, facts_from_json, plan, plan_to_json
from incidents.rules.jurisdictions import EU_MEMBER_STATES
from incidents.rules.loader import load_rules

# Load once at import so that hypothesis does not time the first load as input generation.
load_rules()

README_SCENARIO = {
    "aware_at": "2026-03-27T10:00:00+01:00",
    "affected": {"DE": 1200, "US-CA": 501, "CN": 1200000},
    "data_categories": ["name", "email_address", "password"],
    "encrypted": False, "key_compromised": False,
    "assessment": {"ease_of_identification": "maximum", "confidentiality": "public", "integrity": "none",
                   "availability": "none", "malicious": True},
    "role": "controller",
    "regimes": ["US-SEC"],
    "eu_main_establishment": "IE",
}


def _plan(**overrides):
    return plan_to_json(plan(facts_from_json({**README_SCENARIO, **overrides})))


def _by_rule(output, rule_code):
    return [entry for entry in output["obligations"] if entry["rule_code"] == rule_code]


def test_the_readme_scenario_gives_a_dated_plan_with_reasons():
    output = _plan()
    assert set(output) == {"obligations", "not_required", "warnings"}
    first = output["obligations"][0]
    assert first["rule_code"] == "CN-CAC:report"
    assert first["due_at"] == "2026-03-27T13:00:00Z"
    eu = _by_rule(output, "EU:supervisory_authority")[0]
    assert eu["authority"] == "Data Protection Commission (DPC)"
    assert eu["due_at"] == "2026-03-30T09:00:00Z"
    assert "Art. 33(1)" in eu["basis"] and "main establishment in IE" in eu["reason"]
    for obligation in output["obligations"]:
        assert obligation["due_at"] is None or obligation["due_at"].endswith("Z")
        assert obligation["reason"] and obligation["basis"] and obligation["status"]
    codes = {warning["code"] for warning in output["warnings"]}
    assert {"risk_heuristic", "clock_not_started"} <= codes


def test_without_a_risk_level_or_assessment_the_risk_is_assumed_high_with_a_warning():
    output = plan_to_json(plan(facts_from_json({
        "aware_at": "2026-05-04T12:00:00Z", "affected": {"FR": 3}, "data_categories": ["name"],
    })))
    assert {"risk_assumed", "risk_heuristic"} <= {warning["code"] for warning in output["warnings"]}
    assert _by_rule(output, "EU:data_subjects")


def test_an_assessment_drives_the_risk_when_no_level_is_stated():
    output = _plan(assessment={"ease_of_identification": "negligible", "confidentiality": "none",
                               "integrity": "none", "availability": "temporary", "malicious": False})
    not_required = {entry["rule_code"]: entry for entry in output["not_required"]}
    assert not_required["EU:supervisory_authority"]["reason_code"] == "risk_too_low"


@pytest.mark.parametrize(("count", "ag_required"), [(500, False), (501, True)])
def test_california_attorney_general_only_for_more_than_500_residents(count, ag_required):
    output = _plan(affected={"US-CA": count}, data_categories=["name", "ssn"],
                   individual_notice_sent_at="2026-04-10T09:00:00-07:00")
    assert bool(_by_rule(output, "US-CA:attorney_general")) is ag_required
    if ag_required:
        assert _by_rule(output, "US-CA:attorney_general")[0]["due_at"] == "2026-04-26T06:59:59Z"


@pytest.mark.parametrize(("key_compromised", "notice_required"), [(False, False), (True, True)])
def test_encryption_safe_harbour_holds_only_while_the_key_is_safe(key_compromised, notice_required):
    output = _plan(affected={"US-CA": 20}, data_categories=["name", "ssn"], encrypted=True,
                   key_compromised=key_compromised)
    assert bool(_by_rule(output, "US-CA:residents")) is notice_required
    if not notice_required:
        entry = next(e for e in output["not_required"] if e["rule_code"] == "US-CA:residents")
        assert entry["reason_code"] == "safe_harbour"


@pytest.mark.parametrize(
    ("count", "regimes", "expected"),
    [
        (999_999, [], None),
        (1_000_000, [], ("CN-CAC:report", "2026-06-01T04:00:00Z")),
        (999_999, ["CN-CII"], None),
        (1_000_000, ["CN-CII"], ("CN-CAC:report_cii", "2026-06-01T01:00:00Z")),
    ],
)
def test_china_cac_four_and_one_hour_tiers(count, regimes, expected):
    output = _plan(aware_at="2026-06-01T08:00:00+08:00", affected={"CN": count}, regimes=regimes)
    cac = [(o["rule_code"], o["due_at"]) for o in output["obligations"] if o["rule_code"].startswith("CN-CAC:r")]
    assert cac == ([expected] if expected else [])
    assert _by_rule(output, "CN:authorities")[0]["due_at"] is None


def test_singapore_scale_only_goes_to_the_regulator_not_to_individuals():
    output = _plan(affected={"SG": 500}, data_categories=["name", "email_address"], risk="medium",
                   assessed_at="2026-03-30T10:00:00+08:00")
    assert _by_rule(output, "SG:pdpc")[0]["due_at"] == "2026-04-02T15:59:59Z"
    assert not _by_rule(output, "SG:individuals")


def test_a_rule_not_yet_in_force_on_the_clock_start_day_is_reported_as_such():
    output = _plan(aware_at="2025-10-20T10:00:00+08:00")
    entry = next(e for e in output["not_required"] if e["rule_code"] == "CN-CAC:report")
    assert entry["reason_code"] == "not_in_force"
    assert "2025-10-20" in entry["reason"] and "2025-11-01" in entry["reason"]


def test_california_before_2026_uses_the_version_without_a_number():
    output = _plan(aware_at="2025-12-31T20:00:00-08:00", affected={"US-CA": 10}, data_categories=["name", "ssn"])
    residents = _by_rule(output, "US-CA:residents")[0]
    assert residents["due_at"] is None and residents["timing"].startswith("in the most expedient time")


def test_brazil_carnival_warning_reaches_the_plan():
    output = _plan(aware_at="2026-02-13T15:00:00-03:00", affected={"BR": 10}, data_categories=["health"],
                   risk="high")
    assert _by_rule(output, "BR:anpd")[0]["due_at"] == "2026-02-19T02:59:59Z"
    messages = [w["message"] for w in output["warnings"] if w["code"] == "uncertain_business_day"]
    assert any("Carnival" in message for message in messages)


def test_people_in_a_place_no_rule_covers_are_flagged():
    output = _plan(affected={"MX": 4})
    assert any(w["code"] == "no_rule" and w["jurisdiction"] == "MX" for w in output["warnings"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"aware_at": None}, "aware_at"),
        ({"aware_at": "2026-03-27T10:00:00"}, "aware_at"),
        ({"assessed_at": "yesterday"}, "assessed_at"),
        ({"affected": {"XX": 3}}, "affected.XX"),
        ({"affected": {"DE": -1}}, "affected.DE"),
        ({"affected": {"DE": 1.5}}, "affected.DE"),
        ({"data_categories": ["name", "shoe_size"]}, "data_categories"),
        ({"risk": "extreme"}, "risk"),
        ({"assessment": {"ease_of_identification": "total"}}, "assessment.ease_of_identification"),
        ({"regimes": ["US-XYZ"]}, "regimes[0]"),
        ({"role": "owner"}, "role"),
        ({"eu_main_establishment": "US"}, "eu_main_establishment"),
        ({"encrypted": "yes"}, "encrypted"),
        ({"determined_at": "2025-01-01T00:00:00Z"}, "determined_at"),
        ({"individual_notice_sent_at": "2025-01-01T00:00:00Z"}, "individual_notice_sent_at"),
    ],
)
def test_bad_input_names_the_field(change, field):
    data = {**README_SCENARIO, **change}
    data = {key: value for key, value in data.items() if value is not None}
    with pytest.raises(FactsError) as error:
        facts_from_json(data)
    assert error.value.field == field


CODES = st.sampled_from(sorted(EU_MEMBER_STATES | {"US-CA", "CN", "SG", "GB", "BR", "MX", "US-NY"}))
MOMENTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31),  # noqa: DTZ001
                       timezones=st.sampled_from([UTC]))
OFFSETS = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda minutes: timedelta(minutes=minutes))


def _stamp(moment, offset):
    return moment.astimezone(timezone(offset)).isoformat()


@settings(max_examples=60, deadline=None)
@given(
    moment=MOMENTS, offset=OFFSETS,
    affected=st.dictionaries(CODES, st.integers(min_value=0, max_value=3_000_000), min_size=1, max_size=4),
    categories=st.lists(st.sampled_from(["name", "email_address", "password", "ssn", "health", "payment_card"]),
                        max_size=4),
    risk=st.sampled_from(["low", "medium", "high", "very_high"]),
    regimes=st.lists(st.sampled_from(["US-SEC", "US-HIPAA", "US-NYDFS", "US-GLBA-FTC", "CN-CII"]), unique=True),
    encrypted=st.booleans(), key_compromised=st.booleans(),
)
def test_planner_properties(moment, offset, affected, categories, risk, regimes, encrypted, key_compromised):
    facts = facts_from_json({
        "aware_at": _stamp(moment, offset), "materiality_determined_at": _stamp(moment + timedelta(days=1), offset),
        "affected": affected, "data_categories": categories, "risk": risk, "regimes": regimes,
        "encrypted": encrypted, "key_compromised": key_compromised,
    })
    assert facts.aware_at == moment
    result = plan(facts)
    for obligation in result.obligations:
        if obligation.due_at is None:
            continue
        assert obligation.due_at >= obligation.clock_started_at
        if obligation.deadline["unit"] == "hours":
            assert obligation.due_at - obligation.clock_started_at == timedelta(hours=obligation.deadline["amount"])
    assert json.loads(json.dumps(plan_to_json(result)))["obligations"] is not None


@given(st.dictionaries(st.sampled_from(["aware_at", "affected", "data_categories", "risk", "role"]),
                       st.one_of(st.none(), st.integers(), st.text(max_size=5), st.lists(st.integers()))))
def test_facts_from_json_either_parses_or_names_a_field(data):
    try:
        facts_from_json(data)
    except FactsError as error:
        assert error.field.split(".")[0].split("[")[0] in {"aware_at", "affected", "data_categories", "risk",
                                                            "role", "(input)"}


def test_an_assessment_recorded_before_a_corrected_awareness_time_counts_from_awareness():
    # The incident's assessed_at is stamped by the assess transition; aware_at may be corrected afterwards to a
    # later moment. Singapore's three days run from the assessment, so they then run from awareness, with a warning.
    facts = Facts(aware_at=datetime(2026, 5, 4, 9, 0, tzinfo=UTC), assessed_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
                  affected={"SG": 600}, data_categories=("name", "national_id"), risk="high")
    result = plan(facts)
    pdpc = next(entry for entry in result.obligations if entry.rule_code == "SG:pdpc")
    assert pdpc.clock_started_at == datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    assert pdpc.due_at == datetime(2026, 5, 7, 15, 59, 59, tzinfo=UTC)
    assert "clock_before_awareness" in {warning.code for warning in result.warnings}
