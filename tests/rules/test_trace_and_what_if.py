"""The trace behind every decision, and what changing one fact would change. Pure, shipped rules."""

import pytest

from incidents.rules.answer import plan_answer, split_options
from incidents.rules.facts import FactsError

CALIFORNIA = {
    "aware_at": "2026-04-01T09:00:00-07:00", "individual_notice_sent_at": "2026-04-10T09:00:00-07:00",
    "affected": {"US-CA": 500}, "data_categories": ["name", "ssn"], "risk": "medium",
}


def _entry(answer, key, rule_code, **match):
    return next(item for item in answer[key] if item["rule_code"] == rule_code
                and all(item.get(name) == value for name, value in match.items()))


def _change(answer, description_start):
    return next(change for change in answer["what_if"] if change["description"].startswith(description_start))


def _codes(duties):
    return sorted((duty["rule_code"], duty["residence"]) for duty in duties)


def test_without_explain_the_plan_carries_no_trace():
    answer = plan_answer(CALIFORNIA)
    assert "trace" not in answer["obligations"][0] and "trace" not in answer["not_required"][0]
    assert "what_if" not in answer


def test_an_obligation_is_traced_to_its_rule_version_clause_and_the_facts_that_matched():
    trace = _entry(plan_answer(CALIFORNIA, explain=True), "obligations", "US-CA:residents")["trace"]
    assert trace["rule_code"] == "US-CA:residents" and trace["outcome"] == "required"
    assert trace["version"] == {"effective_from": "2026-01-01", "effective_to": None, "status": "confirmed",
                                "last_verified": trace["version"]["last_verified"]}
    assert trace["clause"] == "1798.82(a), as amended by SB 446 (2025)"
    assert trace["facts"]["data_categories"] == ["name", "ssn"] and trace["facts"]["role"] == "controller"
    steps = {step["step"]: step for step in trace["steps"]}
    assert list(steps) == ["version", "role", "safe_harbour", "definition"]
    assert steps["definition"]["clause"] == "1798.82(h)" and steps["definition"]["effective_from"] == "2003-07-01"
    assert steps["safe_harbour"]["outcome"] == "does_not_apply"
    assert steps["safe_harbour"]["id"] == "encryption" and steps["safe_harbour"]["clause"] == "1798.82(a)"
    assert "not encrypted" in steps["safe_harbour"]["detail"]


def test_a_duty_not_required_is_traced_to_the_step_that_ruled_it_out():
    answer = plan_answer(CALIFORNIA, explain=True)
    entry = _entry(answer, "not_required", "US-CA:attorney_general")
    threshold = entry["trace"]["steps"][-1]
    assert entry["trace"]["outcome"] == "not_required"
    assert threshold == {"step": "threshold", "outcome": "failed", "op": ">", "count": 500, "affected_count": 500,
                         "detail": "500 affected in the jurisdiction; the threshold is more than 500"}


def test_a_safe_harbour_that_lifts_a_duty_is_the_last_step_of_its_trace():
    answer = plan_answer({**CALIFORNIA, "encrypted": True}, explain=True)
    trace = _entry(answer, "not_required", "US-CA:residents")["trace"]
    assert trace["steps"][-1]["step"] == "safe_harbour" and trace["steps"][-1]["outcome"] == "applies"
    assert trace["facts"] == {"role": "controller", "encrypted": True, "key_compromised": False}


def test_the_trace_says_why_the_lead_authority_receives_the_gdpr_notification():
    answer = plan_answer({"aware_at": "2026-03-27T10:00:00+01:00", "affected": {"DE": 1200, "FR": 30},
                          "data_categories": ["name"], "risk": "medium", "eu_main_establishment": "IE"}, explain=True)
    steps = _entry(answer, "obligations", "EU:supervisory_authority")["trace"]["steps"]
    assert steps[-1]["step"] == "authority"
    assert steps[-1]["detail"].startswith("lead authority: main establishment in IE: ")


def test_japan_traces_the_malicious_flag_among_the_tests_of_any():
    answer = plan_answer({
        "aware_at": "2026-04-03T10:00:00+09:00", "affected": {"JP": 1}, "data_categories": ["name"],
        "assessment": {"ease_of_identification": "maximum", "confidentiality": "limited", "integrity": "none",
                       "availability": "none", "malicious": True},
    }, explain=True)
    trace = _entry(answer, "obligations", "JP:ppc_preliminary")["trace"]
    outcomes = {step["step"]: step["outcome"] for step in trace["steps"]}
    assert outcomes == {"version": "passed", "role": "passed", "safe_harbour": "does_not_apply",
                        "threshold": "failed", "malicious": "passed", "categories": "failed"}
    assert trace["match"] == "any" and trace["facts"]["malicious"] is True


def test_what_if_lists_the_attorney_general_copy_one_resident_more_would_bring():
    change = _change(plan_answer(CALIFORNIA, what_if=True), "If 501 people lived in US-CA instead of 500")
    assert change["change"] == "affected" and change["facts"] == {"affected": {"US-CA": 501}}
    assert _codes(change["appear"]) == [("US-CA:attorney_general", None)]
    assert change["appear"][0]["due_at"] == "2026-04-26T06:59:59Z"
    assert change["disappear"] == []


def test_what_if_the_key_was_also_compromised_brings_back_the_notices_encryption_lifted():
    answer = plan_answer({**CALIFORNIA, "affected": {"US-CA": 900, "DE": 40}, "encrypted": True,
                          "risk": "high"}, what_if=True)
    change = _change(answer, "If the encryption key was also compromised")
    assert change["facts"] == {"key_compromised": True}
    assert _codes(change["appear"]) == [("EU:data_subjects", None), ("US-CA:attorney_general", None),
                                        ("US-CA:residents", None)]


def test_what_if_risk_one_band_down_drops_the_duties_that_need_high_risk():
    answer = plan_answer({**CALIFORNIA, "affected": {"DE": 40}, "risk": "high"}, what_if=True)
    down = _change(answer, "If the risk were medium instead of high")
    assert _codes(down["disappear"]) == [("EU:data_subjects", None)]
    assert down["disappear"][0]["reason_code"] == "risk_too_low"
    up_and_down = [change["change"] for change in answer["what_if"] if change["change"].startswith("risk_")]
    assert up_and_down == ["risk_down"]


def test_what_if_awareness_a_day_later_crosses_an_effective_date():
    answer = plan_answer({"aware_at": "2025-10-31T12:00:00+08:00", "affected": {"CN": 1_200_000},
                          "data_categories": ["name"], "risk": "high"}, what_if=True)
    change = _change(answer, "If the organisation had become aware a day later")
    assert {"CN-CAC:report", "CN-CAC:closing_report"} <= {duty["rule_code"] for duty in change["appear"]}


def test_what_if_each_data_category_removed_or_added():
    answer = plan_answer(CALIFORNIA, what_if=True)
    removed = _change(answer, "If Social Security number were not involved")
    assert removed["change"] == "category_removed" and removed["facts"] == {"data_categories": ["name"]}
    assert removed["disappear"][0]["reason_code"] == "categories_not_covered"
    added = answer["what_if"]
    assert not any(change["change"] == "category_added" and change["appear"] for change in added
                   if "Passport" in change["description"])


def test_what_if_a_category_added_makes_a_duty_appear():
    answer = plan_answer({**CALIFORNIA, "data_categories": ["email_address"]}, what_if=True)
    added = _change(answer, "If Password were also involved")
    assert added["facts"] == {"data_categories": ["email_address", "password"]}
    assert _codes(added["appear"]) == [("US-CA:residents", None)]


@pytest.mark.parametrize("option", ["explain", "what_if"])
def test_an_option_that_is_not_a_boolean_is_refused_naming_it(option):
    with pytest.raises(FactsError) as error:
        split_options({**CALIFORNIA, option: "yes"})
    assert error.value.field == option


def test_options_are_taken_out_of_the_facts():
    facts, options = split_options({**CALIFORNIA, "explain": True})
    assert options == {"explain": True, "what_if": False} and "explain" not in facts
