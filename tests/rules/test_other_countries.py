"""The rule files for the non-US, non-EU jurisdictions, planned with every shipped rule loaded.

Each row is a real date: hour deadlines run across weekends (Saudi Arabia's weekend is
Friday-Saturday), thresholds are tested on both sides of the line, and rules not yet in
force (India's Rule 7) are refused on the clock-start day.
"""

import pytest

from incidents.rules import facts_from_json, plan, plan_to_json
from incidents.rules.loader import load_rules

OTHER_COUNTRIES = (
    "CA", "AU", "JP", "KR", "IN", "CH", "NZ", "ZA", "HK", "AE", "SA", "TH",
    "TR", "PH", "VN", "NG", "KE", "ID", "MY", "IL", "CO", "PE", "CL", "QA", "JE", "GG", "CA-QC", "CA-AB",
)


def _plan(residence, count, categories, aware_at, **extra):
    facts = {"aware_at": aware_at, "affected": {residence: count}, "data_categories": categories, **extra}
    return plan_to_json(plan(facts_from_json(facts)))


def _due(output, rule_code):
    matches = [entry for entry in output["obligations"] if entry["rule_code"] == rule_code]
    assert len(matches) == 1, f"{rule_code}: {[entry['rule_code'] for entry in output['obligations']]}"
    return matches[0]["due_at"]


def _reason(output, rule_code):
    return next(entry["reason_code"] for entry in output["not_required"] if entry["rule_code"] == rule_code)


def test_every_listed_country_has_a_rule_file_so_no_count_goes_unchecked():
    rules = load_rules()
    assert all(rules.get(code) is not None for code in OTHER_COUNTRIES)
    output = _plan("JP", 1, ["name"], "2026-04-03T10:00:00+09:00")
    assert not [warning for warning in output["warnings"] if warning["code"] == "no_rule"]


@pytest.mark.parametrize(
    ("rule_code", "residence", "aware_at", "due_at"),
    [
        ("KR:pipc", "KR", "2026-10-16T15:00:00+09:00", "2026-10-19T06:00:00Z"),
        ("KR:individuals", "KR", "2026-10-16T15:00:00+09:00", "2026-10-19T06:00:00Z"),
        ("IN:board_report", "IN", "2027-05-14T18:00:00+05:30", "2027-05-17T12:30:00Z"),
        ("SA:sdaia", "SA", "2026-10-15T10:00:00+03:00", "2026-10-18T07:00:00Z"),
        ("TH:pdpc_office", "TH", "2026-10-16T18:00:00+07:00", "2026-10-19T11:00:00Z"),
    ],
)
def test_hour_deadlines_run_through_the_weekend(rule_code, residence, aware_at, due_at):
    output = _plan(residence, 1000, ["name", "health"], aware_at, risk="high")
    assert _due(output, rule_code) == due_at


MALICIOUS = {"ease_of_identification": "maximum", "confidentiality": "public", "integrity": "none",
             "availability": "none", "malicious": True}


@pytest.mark.parametrize(
    ("aware_at", "count", "due_at"),
    [
        ("2026-04-03T10:00:00+09:00", 1, "2026-06-01T14:59:59Z"),
        ("2026-12-25T18:00:00+09:00", 5000, "2027-02-22T14:59:59Z"),
        ("2028-01-01T09:00:00+09:00", 2, "2028-02-29T14:59:59Z"),
    ],
)
def test_japan_final_report_for_a_suspected_unlawful_purpose_is_due_in_60_days_and_says_why(aware_at, count, due_at):
    output = plan_to_json(plan(facts_from_json({
        "aware_at": aware_at, "affected": {"JP": count}, "data_categories": ["name", "email_address"],
        "assessment": MALICIOUS,
    })), explain=True)
    final = next(entry for entry in output["obligations"] if entry["rule_code"] == "JP:ppc_final")
    assert (final["due_at"], final["deadline"]) == (due_at, {"unit": "calendar_days", "amount": 59})
    step = next(step for step in final["trace"]["steps"] if step["step"] == "deadline")
    assert step["clause"].startswith("Enforcement Rules Art. 8(2)")
    assert "runs 59 calendar days instead of 29" in step["detail"] and "Art. 8(2)" in final["reason"]


@pytest.mark.parametrize(
    ("aware_at", "due_at"),
    [
        ("2026-04-03T10:00:00+09:00", "2026-05-02T14:59:59Z"),
        ("2026-12-25T18:00:00+09:00", "2027-01-23T14:59:59Z"),
        ("2027-02-01T00:30:00+09:00", "2027-03-02T14:59:59Z"),
    ],
)
def test_japan_final_report_counts_the_day_of_knowing_as_day_one_and_is_flagged_unconfirmed(aware_at, due_at):
    output = _plan("JP", 5, ["name", "payment_card"], aware_at)
    final = next(entry for entry in output["obligations"] if entry["rule_code"] == "JP:ppc_final")
    assert (final["due_at"], final["status"], final["unconfirmed"]) == (due_at, "unconfirmed", True)


@pytest.mark.parametrize(
    ("residence", "count", "rule_code", "applies"),
    [
        ("JP", 1000, "JP:ppc_preliminary", False),
        ("JP", 1001, "JP:ppc_preliminary", True),
        ("KR", 999, "KR:pipc", False),
        ("KR", 1000, "KR:pipc", True),
    ],
)
def test_head_count_thresholds_use_the_exact_comparison(residence, count, rule_code, applies):
    output = _plan(residence, count, ["name", "email_address"], "2026-10-16T15:00:00+09:00", risk="low")
    applied = any(entry["rule_code"] == rule_code for entry in output["obligations"])
    assert applied is applies


@pytest.mark.parametrize(
    ("residence", "aware_at", "rule_code"),
    [
        ("IN", "2027-05-12T23:59:00+05:30", "IN:board_report"),
        ("CA", "2018-10-31T23:00:00-04:00", "CA:commissioner"),
        ("AU", "2018-02-21T23:00:00+11:00", "AU:oaic"),
        ("JP", "2022-03-31T23:00:00+09:00", "JP:ppc_preliminary"),
        ("CH", "2023-08-31T23:00:00+02:00", "CH:fdpic"),
        ("NZ", "2020-11-30T23:00:00+13:00", "NZ:commissioner"),
        ("SA", "2023-09-13T23:00:00+03:00", "SA:sdaia"),
        ("TH", "2022-05-31T23:00:00+07:00", "TH:pdpc_office"),
    ],
)
def test_a_rule_is_not_applied_before_its_effective_date(residence, aware_at, rule_code):
    output = _plan(residence, 5000, ["name", "health"], aware_at, risk="very_high")
    assert _reason(output, rule_code) == "not_in_force"


def test_india_rule_7_applies_from_its_first_day():
    output = _plan("IN", 1, ["email_address"], "2027-05-13T00:30:00+05:30", risk="low")
    assert _due(output, "IN:board_report") == "2027-05-15T19:00:00Z"


@pytest.mark.parametrize(
    ("residence", "risk", "rule_code", "expected"),
    [
        ("CA", "medium", "CA:commissioner", "risk_too_low"),
        ("AU", "medium", "AU:oaic", "risk_too_low"),
        ("NZ", "medium", "NZ:commissioner", "risk_too_low"),
        ("CH", "medium", "CH:fdpic", "risk_too_low"),
        ("TH", "low", "TH:pdpc_office", "risk_too_low"),
        ("TH", "medium", "TH:data_subjects", "risk_too_low"),
    ],
)
def test_the_risk_test_reads_the_laws_wording(residence, risk, rule_code, expected):
    output = _plan(residence, 300, ["name", "email_address"], "2026-06-15T08:00:00+00:00", risk=risk)
    assert _reason(output, rule_code) == expected


def test_south_africa_owes_a_report_for_every_compromise_whatever_the_risk():
    output = _plan("ZA", 1, ["name"], "2026-02-10T11:00:00+02:00", risk="low")
    regulator = next(entry for entry in output["obligations"] if entry["rule_code"] == "ZA:regulator")
    assert regulator["due_at"] is None
    assert regulator["portal"] == "https://eservices.inforegulator.org.za/compromises/default.aspx"


def test_japan_encryption_safe_harbour_holds_only_while_the_key_is_safe():
    facts = ("JP", 5000, ["name", "payment_card"], "2026-04-03T10:00:00+09:00")
    safe = _plan(*facts, encrypted=True, key_compromised=False)
    leaked = _plan(*facts, encrypted=True, key_compromised=True)
    assert _reason(safe, "JP:ppc_final") == "safe_harbour"
    assert _due(leaked, "JP:ppc_final") == "2026-05-02T14:59:59Z"


def test_hong_kong_notices_are_voluntary_unless_the_organisation_opts_in():
    without = _plan("HK", 30000, ["name", "national_id"], "2026-05-20T10:00:00+08:00", risk="very_high")
    opted_in = _plan("HK", 30000, ["name", "national_id"], "2026-05-20T10:00:00+08:00",
                     regimes=["HK-PCPD-VOLUNTARY"])
    assert not [entry for entry in without["obligations"] if entry["jurisdiction"] == "HK"]
    assert _reason(without, "HK:pcpd") == "regime"
    assert _due(opted_in, "HK:pcpd") is None


def test_a_difc_entity_reports_to_the_difc_commissioner_instead_of_the_federal_data_office():
    federal = _plan("AE", 400, ["name"], "2026-08-03T09:00:00+04:00", risk="high")
    difc = _plan("AE", 400, ["name"], "2026-08-03T09:00:00+04:00", risk="high", regimes=["AE-DIFC"])
    assert {entry["rule_code"] for entry in federal["obligations"]} == {"AE:data_office", "AE:data_subjects"}
    assert {entry["rule_code"] for entry in difc["obligations"]} == {"AE:difc_commissioner"}


@pytest.mark.parametrize(
    ("residence", "aware_at", "authority", "due_at"),
    [
        ("NO", "2026-07-03T16:00:00+02:00", "Datatilsynet (Norway)", "2026-07-06T14:00:00Z"),
        ("IS", "2026-07-03T16:00:00+00:00", "Persónuvernd (Iceland)", "2026-07-06T16:00:00Z"),
        ("LI", "2026-07-03T16:00:00+02:00", "Datenschutzstelle Fürstentum Liechtenstein", "2026-07-06T14:00:00Z"),
    ],
)
def test_people_in_the_eea_efta_states_engage_the_gdpr_with_their_own_authority(residence, aware_at, authority, due_at):
    output = _plan(residence, 2500, ["name", "national_id"], aware_at, risk="high")
    report = next(entry for entry in output["obligations"] if entry["rule_code"] == "EU:supervisory_authority")
    assert (report["residence"], report["authority"], report["due_at"]) == (residence, authority, due_at)
    assert not [warning for warning in output["warnings"] if warning["code"] == "no_rule"]


def test_every_eea_state_has_its_supervisory_authority():
    from incidents.rules.jurisdictions import EEA_MEMBER_STATES

    assert set(load_rules().get("EU").authorities) >= EEA_MEMBER_STATES


def test_a_main_establishment_in_norway_makes_datatilsynet_the_lead_authority():
    facts = {"aware_at": "2026-07-03T16:00:00+02:00", "affected": {"NO": 40, "DE": 60}, "data_categories": ["name"],
             "risk": "medium", "eu_main_establishment": "NO"}
    output = plan_to_json(plan(facts_from_json(facts)))
    report = next(entry for entry in output["obligations"] if entry["rule_code"] == "EU:supervisory_authority")
    assert (report["authority"], report["affected_count"]) == ("Datatilsynet (Norway)", 100)


def test_a_main_establishment_outside_the_eea_is_refused():
    from incidents.rules.facts import FactsError

    facts = {"aware_at": "2026-07-03T16:00:00+02:00", "affected": {"DE": 60}, "data_categories": ["name"],
             "eu_main_establishment": "CH"}
    with pytest.raises(FactsError, match="eu_main_establishment"):
        facts_from_json(facts)


def test_cert_in_six_hours_apply_now_while_the_dpdp_rows_wait_for_may_2027():
    output = _plan("IN", 5000, ["name", "national_id"], "2026-11-27T22:30:00+05:30")
    assert _due(output, "IN:cert_in") == "2026-11-27T23:00:00Z"
    assert {_reason(output, code) for code in ("IN:board_report", "IN:board_initial", "IN:principals")} == {
        "not_in_force"
    }


def test_cert_in_and_the_dpdp_report_run_side_by_side_once_rule_7_applies():
    output = _plan("IN", 40, ["name", "phone_number"], "2027-05-14T18:00:00+05:30", risk="low")
    assert (_due(output, "IN:cert_in"), _due(output, "IN:board_report")) == (
        "2027-05-14T18:30:00Z", "2027-05-17T12:30:00Z"
    )


@pytest.mark.parametrize("residence", ["TR", "PH", "VN", "NG", "KE", "ID", "MY", "IL", "CO", "PE", "CL", "QA", "JE", "GG"])
def test_people_in_the_newly_covered_countries_raise_no_missing_rule_warning(residence):
    output = _plan(residence, 10, ["name"], "2026-12-04T09:00:00+00:00", risk="high")
    assert not [warning for warning in output["warnings"] if warning["code"] == "no_rule"]
    assert any(entry["jurisdiction"] == residence for entry in output["obligations"] + output["not_required"])


@pytest.mark.parametrize(
    ("rule_code", "residence", "aware_at", "due_at"),
    [
        ("TR:board", "TR", "2026-10-09T17:00:00+03:00", "2026-10-12T14:00:00Z"),
        ("PH:npc", "PH", "2026-09-04T15:00:00+08:00", "2026-09-07T07:00:00Z"),
        ("NG:commission", "NG", "2026-06-12T10:00:00+01:00", "2026-06-15T09:00:00Z"),
        ("KE:commissioner", "KE", "2026-05-14T09:00:00+03:00", "2026-05-17T06:00:00Z"),
        ("ID:lembaga", "ID", "2026-08-15T20:00:00+07:00", "2026-08-18T13:00:00Z"),
        ("ID:data_subjects", "ID", "2026-08-15T20:00:00+07:00", "2026-08-18T13:00:00Z"),
        ("MY:commissioner", "MY", "2026-07-10T18:00:00+08:00", "2026-07-13T10:00:00Z"),
        ("JE:commissioner", "JE", "2026-03-27T10:00:00+00:00", "2026-03-30T10:00:00Z"),
        ("GG:authority", "GG", "2026-08-12T16:30:00+01:00", "2026-08-15T15:30:00Z"),
        ("PE:anpd", "PE", "2026-02-13T21:00:00-05:00", "2026-02-16T02:00:00Z"),
    ],
)
def test_the_new_countries_hour_deadlines_are_elapsed_time_across_weekends(rule_code, residence, aware_at, due_at):
    output = _plan(residence, 2000, ["name", "passport_number"], aware_at, risk="high")
    assert _due(output, rule_code) == due_at


def test_chile_applies_from_law_21719s_first_day_and_not_the_day_before():
    before = _plan("CL", 700, ["name", "account_number"], "2026-11-30T22:00:00-03:00", risk="high")
    first = _plan("CL", 700, ["name", "account_number"], "2026-12-01T00:30:00-03:00", risk="high")
    assert _reason(before, "CL:agency") == "not_in_force"
    assert {entry["rule_code"] for entry in first["obligations"]} == {"CL:agency", "CL:data_subjects"}


def test_colombia_counts_fifteen_business_days_over_holy_week():
    output = _plan("CO", 900, ["name", "email_address"], "2026-03-16T10:00:00-05:00", risk="low")
    assert _due(output, "CO:sic") == "2026-04-10T04:59:59Z"


@pytest.mark.parametrize(
    ("residence", "provincial"),
    [("CA-QC", {"CA-QC:commission", "CA-QC:persons_concerned"}), ("CA-AB", {"CA-AB:commissioner"}), ("CA-ON", set())],
)
def test_a_province_engages_its_own_law_beside_pipedas_federal_duty(residence, provincial):
    output = _plan(residence, 75, ["name", "drivers_license"], "2026-11-02T08:30:00-07:00", risk="high")
    assert {entry["rule_code"] for entry in output["obligations"]} == {"CA:commissioner", "CA:individuals", *provincial}
    assert not [warning for warning in output["warnings"] if warning["code"] == "no_rule"]


@pytest.mark.parametrize("code", ["CA-XX", "CA-", "QC"])
def test_a_canadian_province_code_must_be_iso_3166_2(code):
    from incidents.rules.facts import FactsError

    with pytest.raises(FactsError, match=f"affected.{code}"):
        facts_from_json({"aware_at": "2026-11-02T08:30:00-07:00", "affected": {code: 1}, "data_categories": ["name"]})
