"""US sector regimes an organisation declares: the banking agencies' 36 hours, SEC Regulation S-P,
the FTC Health Breach Notification Rule and the state insurance data-security laws.

Each row is a real date; compliance dates, thresholds and calendar-year logs are tested on both
sides of the line.
"""

import pytest

from incidents.rules import facts_from_json, plan, plan_to_json
from incidents.rules.loader import load_rules

SECTOR_REGIMES = ("US-BANK-CSIN", "US-SEC-REGSP", "US-SEC-REGSP-SMALLER", "US-FTC-HBNR", "US-NAIC-IDSL")


def _plan(affected, categories, aware_at, regimes, **extra):
    facts = {"aware_at": aware_at, "affected": affected, "data_categories": categories, "regimes": regimes, **extra}
    return plan_to_json(plan(facts_from_json(facts)))


def _entries(output, rule_code, key="obligations"):
    return [entry for entry in output[key] if entry["rule_code"] == rule_code]


def test_every_sector_regime_is_a_code_the_planner_and_the_profile_accept():
    assert set(SECTOR_REGIMES) <= load_rules().regimes


def test_the_sector_rules_stay_silent_unless_the_regime_is_declared():
    output = _plan({"US-OH": 900}, ["name", "ssn", "health"], "2026-09-08T09:00:00-04:00", [])
    assert not [entry for entry in output["obligations"] if entry["jurisdiction"] in SECTOR_REGIMES]


@pytest.mark.parametrize(
    ("determined_at", "due_at"),
    [
        ("2026-11-25T16:00:00-05:00", "2026-11-27T09:00:00Z"),
        ("2026-03-07T20:00:00-05:00", "2026-03-09T13:00:00Z"),
    ],
)
def test_a_bank_has_36_elapsed_hours_from_determining_a_notification_incident_even_across_the_clock_change(determined_at, due_at):
    output = _plan({"US-NY": 10}, ["name"], "2026-03-07T09:00:00-05:00", ["US-BANK-CSIN"],
                   materiality_determined_at=determined_at)
    assert [entry["due_at"] for entry in _entries(output, "US-BANK-CSIN:primary_regulator")] == [due_at]


@pytest.mark.parametrize(
    ("regimes", "aware_at", "applies"),
    [
        (["US-SEC-REGSP"], "2025-12-02T23:00:00-05:00", False),
        (["US-SEC-REGSP"], "2025-12-03T00:30:00-05:00", True),
        (["US-SEC-REGSP", "US-SEC-REGSP-SMALLER"], "2026-06-02T23:00:00-04:00", False),
        (["US-SEC-REGSP", "US-SEC-REGSP-SMALLER"], "2026-06-03T00:30:00-04:00", True),
    ],
)
def test_regulation_s_p_notices_start_on_each_size_class_compliance_date(regimes, aware_at, applies):
    output = _plan({"US-NY": 40}, ["name", "ssn"], aware_at, regimes)
    notices = [entry for entry in output["obligations"] if entry["jurisdiction"] == "US-SEC-REGSP"]
    assert bool(notices) is applies


def test_regulation_s_p_gives_thirty_calendar_days_unless_counsel_records_no_substantial_harm():
    facts = ({"US-NY": 4000}, ["name", "ssn"], "2026-02-10T10:00:00-05:00", ["US-SEC-REGSP"])
    owed = _plan(*facts)
    lifted = _plan(*facts, no_harm_determination={"by": "counsel@example.com", "at": "2026-02-20T16:00:00Z",
                                                  "reason": "Archive recovered unopened"})
    assert [entry["due_at"] for entry in _entries(owed, "US-SEC-REGSP:individuals")] == ["2026-03-13T03:59:59Z"]
    assert [entry["reason_code"] for entry in _entries(lifted, "US-SEC-REGSP:individuals", "not_required")] == [
        "safe_harbour"
    ]


@pytest.mark.parametrize(
    ("aware_at", "log_due_at"),
    [
        ("2027-06-01T10:00:00-04:00", "2028-03-01T04:59:59Z"),
        ("2026-06-01T10:00:00-04:00", "2027-03-02T04:59:59Z"),
    ],
)
def test_health_breaches_under_500_go_in_the_ftc_annual_log_sixty_days_after_the_year(aware_at, log_due_at):
    output = _plan({"US-TX": 499}, ["name", "health"], aware_at, ["US-FTC-HBNR"])
    assert [entry["due_at"] for entry in _entries(output, "US-FTC-HBNR:ftc_log")] == [log_due_at]
    assert not _entries(output, "US-FTC-HBNR:ftc")


def test_the_ftc_health_rule_changed_from_ten_business_days_to_sixty_days_in_july_2024():
    before = _plan({"US-NY": 800}, ["name", "health"], "2024-07-26T10:00:00-04:00", ["US-FTC-HBNR"])
    after = _plan({"US-NY": 800}, ["name", "health"], "2024-07-29T10:00:00-04:00", ["US-FTC-HBNR"])
    assert [entry["due_at"] for entry in _entries(before, "US-FTC-HBNR:ftc")] == ["2024-08-10T03:59:59Z"]
    assert [entry["due_at"] for entry in _entries(after, "US-FTC-HBNR:ftc")] == ["2024-09-28T03:59:59Z"]


@pytest.mark.parametrize(("count", "applies"), [(249, False), (250, True)])
def test_an_insurance_commissioner_is_owed_notice_from_250_of_its_residents(count, applies):
    output = _plan({"US-VA": count}, ["name", "ssn"], "2026-09-08T09:00:00-04:00", ["US-NAIC-IDSL"])
    virginia = [entry for entry in _entries(output, "US-NAIC-IDSL:resident_commissioner")
                if entry["residence"] == "US-VA"]
    assert bool(virginia) is applies
    assert [entry["due_at"] for entry in _entries(output, "US-NAIC-IDSL:domicile_commissioner")] == [
        "2026-09-11T13:00:00Z"
    ]
