"""Obligations on an incident: planned from its facts, kept up to date, with their clock ledger."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from incidents import obligations, services
from incidents.errors import Conflict
from incidents.models import Obligation, ObligationStatus
from incidents.tasks import mark_overdue_obligations

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
AWARE = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)


def duty(incident, jurisdiction, audience):
    return Obligation.objects.get(incident=incident, jurisdiction=jurisdiction, audience=audience, applies=True)


@pytest.fixture
def breach(responder):
    return services.incident_create(
        actor=responder, title="Leaked customer database", aware_at=AWARE,
        occurred_at=AWARE - timedelta(days=1), affected={"DE": 1200, "US-CA": 501},
        data_categories=["name", "email_address", "password"],
    )


def test_obligations_are_planned_when_the_incident_is_created(breach):
    eu = duty(breach, "EU", "regulator")
    # 72 hours of elapsed time across the EU's spring DST change on 29 March 2026.
    assert eu.due_at == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert "Art. 33" in eu.basis
    assert (eu.clock_fact, eu.clock_asserted_by, eu.clock_asserted_at is not None) == ("aware_at", "rita_responder", True)
    california = duty(breach, "US-CA", "individuals")
    # 30 calendar days, due at the end of the last day in Los Angeles (PDT, UTC-7).
    assert california.due_at == datetime(2026, 4, 27, 6, 59, 59, tzinfo=UTC)
    assert california.law_enforcement_delay_allowed is True


def test_editing_aware_at_moves_the_deadline_and_writes_the_ledger(breach, responder):
    services.incident_update(actor=responder, incident=breach, aware_at=AWARE + timedelta(hours=2))
    eu = duty(breach, "EU", "regulator")
    assert eu.due_at == datetime(2026, 3, 30, 11, 0, tzinfo=UTC)
    change = eu.due_changes.last()
    assert (change.previous_due_at, change.due_at) == (datetime(2026, 3, 30, 9, 0, tzinfo=UTC), eu.due_at)
    assert change.reason == "facts edited: aware_at"
    assert change.actor_name == "rita_responder"


def test_recompute_keeps_the_status_of_obligations_that_still_apply(breach, responder, legal):
    eu = duty(breach, "EU", "regulator")
    obligations.obligation_mark_met(actor=legal, obligation=eu, met_at=AWARE + timedelta(hours=30))
    services.incident_update(actor=responder, incident=breach, data_categories=["name", "email_address", "password", "phone_number"])
    assert duty(breach, "EU", "regulator").status == ObligationStatus.MET


def test_an_obligation_the_facts_no_longer_call_for_stays_on_record(breach, responder):
    california = duty(breach, "US-CA", "individuals")
    services.incident_update(actor=responder, incident=breach, encrypted=True, key_compromised=False)
    california.refresh_from_db()
    assert california.applies is False
    assert california.due_changes.last().reason.startswith("No longer required")
    assert breach.audit_events.filter(action="obligations.recomputed").last().payload["withdrawn"]


def test_marking_met_after_the_deadline_needs_the_reason_for_the_delay(breach, legal):
    eu = duty(breach, "EU", "regulator")
    with pytest.raises(ValidationError, match="give the reasons for the delay"):
        obligations.obligation_mark_met(actor=legal, obligation=eu, met_at=eu.due_at + timedelta(minutes=1))
    met = obligations.obligation_mark_met(
        actor=legal, obligation=eu, met_at=eu.due_at + timedelta(minutes=1),
        reason="The scope was only established after forensic imaging on day 3.",
    )
    assert met.status == ObligationStatus.MET
    assert breach.audit_events.filter(action="obligation.met").last().payload["late"] is True


def test_notifying_individuals_starts_the_california_attorney_general_clock(breach, legal):
    attorney_general = duty(breach, "US-CA", "regulator")
    assert attorney_general.due_at is None and attorney_general.clock_started_at is None
    obligations.obligation_mark_met(
        actor=legal, obligation=duty(breach, "US-CA", "individuals"),
        met_at=datetime(2026, 4, 10, 17, 0, tzinfo=UTC),
    )
    attorney_general.refresh_from_db()
    # 15 calendar days after 10 April (Los Angeles): end of 25 April, PDT.
    assert attorney_general.due_at == datetime(2026, 4, 26, 6, 59, 59, tzinfo=UTC)
    assert attorney_general.clock_fact == "individual_notice_sent_at"


def test_a_law_enforcement_delay_pauses_only_the_clocks_whose_law_allows_it(breach, legal):
    services.law_enforcement_delay_record(
        actor=legal, incident=breach, agency="FBI San Francisco", form="written",
        statement="Notice would impede the investigation.",
        starts_at=datetime(2026, 3, 28, tzinfo=UTC), ends_at=datetime(2026, 4, 7, tzinfo=UTC),
    )
    assert duty(breach, "US-CA", "individuals").due_at == datetime(2026, 5, 7, 6, 59, 59, tzinfo=UTC)
    assert duty(breach, "EU", "regulator").due_at == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert breach.audit_events.filter(action="incident.law_enforcement_delay").exists()


def test_a_responders_law_enforcement_delay_moves_no_deadline_until_legal_confirms_it(breach, responder, legal):
    before = duty(breach, "US-CA", "individuals").due_at
    delay = services.law_enforcement_delay_record(
        actor=responder, incident=breach, agency="FBI San Francisco", form="written",
        statement="Notice would impede the investigation.",
        starts_at=datetime(2026, 3, 28, tzinfo=UTC), ends_at=datetime(2026, 4, 7, tzinfo=UTC),
    )
    assert not delay.confirmed
    assert duty(breach, "US-CA", "individuals").due_at == before
    with pytest.raises(PermissionDenied):
        services.law_enforcement_delay_confirm(actor=responder, delay=delay)
    services.law_enforcement_delay_confirm(actor=legal, delay=delay)
    assert duty(breach, "US-CA", "individuals").due_at == datetime(2026, 5, 7, 6, 59, 59, tzinfo=UTC)
    confirmed = breach.audit_events.get(action="incident.law_enforcement_delay_confirmed")
    assert confirmed.actor == legal and confirmed.payload["recorded_by"] == responder.username
    with pytest.raises(Conflict):
        services.law_enforcement_delay_confirm(actor=legal, delay=delay)


def test_an_oral_law_enforcement_delay_is_capped_at_30_days(breach, responder):
    with pytest.raises(ValidationError, match="at most 30 days"):
        services.law_enforcement_delay_record(
            actor=responder, incident=breach, agency="Police", form="oral", statement="Asked by phone.",
            starts_at=AWARE, ends_at=AWARE + timedelta(days=31),
        )


def test_overdue_obligations_are_marked_by_the_sweep(breach):
    changed = obligations.obligations_mark_overdue(now=datetime(2026, 3, 30, 9, 1, tzinfo=UTC))
    assert changed == 1
    assert duty(breach, "EU", "regulator").status == ObligationStatus.OVERDUE


def test_the_lifecycle_waits_for_real_regulator_obligations(breach, responder, legal):
    breach = services.incident_transition(actor=responder, incident=breach, name="contain", reason="Locked down.")
    services.risk_assessment_update(
        actor=responder, incident=breach,
        assessment={"ease_of_identification": "maximum", "confidentiality": "public", "integrity": "none",
                    "availability": "none", "malicious": True},
    )
    breach = services.incident_transition(actor=responder, incident=breach, name="assess")
    with pytest.raises(Conflict, match="Every regulator obligation"):
        services.incident_transition(actor=legal, incident=breach, name="notify_regulators")
    for obligation in breach.pending_obligations(audience="regulator"):
        obligations.obligation_mark_met(actor=legal, obligation=obligation, met_at=AWARE + timedelta(hours=20))
    assert services.incident_transition(actor=legal, incident=breach, name="notify_regulators").state == (
        "regulators_notified"
    )


ASSESSMENT = {"ease_of_identification": "maximum", "confidentiality": "public", "integrity": "none",
              "availability": "none", "malicious": True}


def test_assessment_api_computes_the_enisa_level(api_as, responder, breach):
    response = api_as(responder).put(f"/api/incidents/{breach.ref}/assessment/", ASSESSMENT, format="json")
    assert response.status_code == 200, response.content
    # SE = DPC 3 (password) x EI 1 + CB 0.5 (public) + 0.5 (malicious) = 4.00 -> very high
    assert (response.json()["score"], response.json()["level"]) == ("4.00", "very_high")


def test_only_legal_overrides_the_risk_level_and_only_with_a_reason(api_as, responder, legal, breach):
    override = ASSESSMENT | {"risk_override": "low"}
    assert api_as(responder).put(f"/api/incidents/{breach.ref}/assessment/", override, format="json").status_code == 403
    response = api_as(legal).put(f"/api/incidents/{breach.ref}/assessment/", override, format="json")
    assert response.status_code == 400 and "override_reason" in response.json()
    response = api_as(legal).put(
        f"/api/incidents/{breach.ref}/assessment/",
        override | {"override_reason": "Passwords were salted bcrypt hashes; accounts force-reset."}, format="json",
    )
    assert response.json()["level"] == "low"
    assert breach.audit_events.filter(action="risk.assessed").last().payload["risk_override"] == "low"


def test_assessment_api_names_a_bad_key(api_as, responder, breach):
    response = api_as(responder).put(
        f"/api/incidents/{breach.ref}/assessment/", ASSESSMENT | {"confidentiality": "leaked"}, format="json"
    )
    assert response.status_code == 400
    assert "confidentiality" in response.json()


def test_obligations_api_lists_deadlines_with_rule_status_and_ledger(api_as, legal, breach):
    body = api_as(legal).get(f"/api/incidents/{breach.ref}/obligations/").json()
    eu = next(item for item in body if item["jurisdiction"] == "EU" and item["audience"] == "regulator")
    assert eu["due_at"] == "2026-03-30T09:00:00Z"
    assert eu["rule_status"] in ("confirmed", "secondary", "unconfirmed")
    assert eu["due_changes"][0]["reason"].startswith("Planned")


def test_outsider_cannot_see_obligations(api_as, outsider, breach):
    assert api_as(outsider).get(f"/api/incidents/{breach.ref}/obligations/").status_code == 403


def test_planner_api_and_command_give_the_same_plan(api_as, responder):
    scenario = json.loads((ROOT / "docs" / "scenario-example.json").read_text())
    response = api_as(responder).post("/api/obligations/plan/", scenario, format="json")
    assert response.status_code == 200
    out = StringIO()
    call_command("obligations", str(ROOT / "docs" / "scenario-example.json"), stdout=out)
    assert json.loads(out.getvalue()) == response.json()
    assert {"obligations", "not_required", "warnings"} <= set(response.json())


def test_planner_table_format_is_readable(capsys):
    call_command("obligations", str(ROOT / "docs" / "scenario-example.json"), "--format", "table")
    out = capsys.readouterr().out
    assert "OBLIGATIONS" in out and "NOT REQUIRED" in out and "2026-03-30T09:00:00Z" in out


def test_planner_api_explains_and_asks_what_if_with_the_same_output_as_the_command(api_as, responder):
    scenario = json.loads((ROOT / "docs" / "scenario-example.json").read_text())
    response = api_as(responder).post(
        "/api/obligations/plan/", scenario | {"explain": True, "what_if": True}, format="json"
    )
    assert response.status_code == 200, response.content
    out = StringIO()
    call_command("obligations", str(ROOT / "docs" / "scenario-example.json"), "--explain", "--what-if", stdout=out)
    assert json.loads(out.getvalue()) == response.json()
    body = response.json()
    assert all(entry["trace"]["steps"] for entry in body["obligations"] + body["not_required"])
    password = next(change for change in body["what_if"] if change["description"] == "If Password were not involved")
    assert {"rule_code": "US-CA:residents", "reason_code": "categories_not_covered"}.items() <= next(
        duty for duty in password["disappear"] if duty["rule_code"] == "US-CA:residents").items()


def test_planner_api_refuses_an_option_that_is_not_a_boolean(api_as, responder):
    scenario = json.loads((ROOT / "docs" / "scenario-example.json").read_text())
    response = api_as(responder).post("/api/obligations/plan/", scenario | {"explain": "please"}, format="json")
    assert response.status_code == 400 and "explain" in response.json()


def test_planner_table_explains_each_decision_and_lists_what_would_change(capsys):
    call_command("obligations", str(ROOT / "docs" / "scenario-example.json"), "--format", "table", "--explain",
                 "--what-if")
    out = capsys.readouterr().out
    assert "Trace:   US-CA:residents version 2026-01-01 to open end" in out
    assert "safe_harbour: does_not_apply: 1798.82(a): the data were not encrypted" in out
    assert "WHAT IF" in out and "? If 500 people lived in US-CA instead of 501" in out
    assert "- US-CA:attorney_general  (below_threshold)" in out


def test_planner_reads_the_scenario_from_standard_input(capsys, monkeypatch):
    scenario = (ROOT / "docs" / "scenario-example.json").read_text()
    monkeypatch.setattr("sys.stdin", StringIO(scenario))
    call_command("obligations", "-")
    assert json.loads(capsys.readouterr().out)["obligations"]


def test_planner_rejects_a_time_without_offset_naming_the_field(api_as, responder, tmp_path):
    bad = {"aware_at": "2026-03-27T10:00:00", "affected": {"DE": 1}, "data_categories": ["name"]}
    response = api_as(responder).post("/api/obligations/plan/", bad, format="json")
    assert response.status_code == 400 and "aware_at" in response.json()
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(CommandError, match="aware_at"):
        call_command("obligations", str(path))


def test_the_periodic_task_marks_overdue_obligations(breach):
    assert mark_overdue_obligations() >= 1
    assert duty(breach, "EU", "regulator").status == ObligationStatus.OVERDUE


def test_legal_records_met_and_exempt_through_the_api(api_as, legal, responder, breach):
    eu = duty(breach, "EU", "regulator")
    response = api_as(legal).post(f"/api/obligations/{eu.pk}/met/", {"met_at": "2026-03-28T09:00:00Z"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "met"
    california = duty(breach, "US-CA", "individuals")
    assert api_as(legal).post(f"/api/obligations/{california.pk}/exempt/", {}, format="json").status_code == 400
    response = api_as(legal).post(
        f"/api/obligations/{california.pk}/exempt/", {"reason": "Data encrypted, key safe."}, format="json"
    )
    assert response.json()["status"] == "exempted"
    assert api_as(responder).post(f"/api/obligations/{eu.pk}/met/", {}, format="json").status_code == 403


def test_organisation_profile_regimes_are_checked_and_replan_open_incidents(api_as, admin_user, breach):
    response = api_as(admin_user).patch("/api/organisation/", {"regimes": ["US-SOX"]}, format="json")
    assert response.status_code == 400 and "US-SOX" in response.json()["regimes"][0]
    response = api_as(admin_user).patch(
        "/api/organisation/", {"legal_name": "Example Ltd", "dpo_name": "DPO", "dpo_email": "dpo@example.com",
                               "regimes": ["US-SEC"]}, format="json",
    )
    assert response.status_code == 200, response.content
    sec = Obligation.objects.get(incident=breach, jurisdiction="US-SEC")
    assert sec.clock_start == "materiality_determined"


def test_a_malicious_assessment_makes_japan_reportable_at_any_head_count(responder):
    leak = services.incident_create(
        actor=responder, title="Ransomware on the shop server", aware_at=datetime(2026, 4, 3, 1, 0, tzinfo=UTC),
        affected={"JP": 3}, data_categories=["name", "email_address"],
    )
    assert not leak.obligations.filter(jurisdiction="JP", applies=True).exists()
    services.risk_assessment_update(actor=responder, incident=leak, assessment=ASSESSMENT)
    final = leak.obligations.get(jurisdiction="JP", authority__contains="final report", applies=True)
    # Rule 8(2): 60 days in the Rule 7(iii) case, the day of knowing (3 April in Tokyo) as day 1.
    assert final.due_at == datetime(2026, 6, 1, 14, 59, 59, tzinfo=UTC)
    assert leak.obligations.filter(jurisdiction="JP", audience="individuals", applies=True).exists()


def test_japan_final_report_moves_from_60_to_30_days_when_the_breach_is_reassessed_as_an_accident(responder):
    leak = services.incident_create(
        actor=responder, title="Card numbers on a lost backup disk", aware_at=datetime(2026, 4, 3, 1, 0, tzinfo=UTC),
        affected={"JP": 5000}, data_categories=["name", "payment_card"],
    )
    services.risk_assessment_update(actor=responder, incident=leak, assessment=ASSESSMENT)
    final = leak.obligations.get(jurisdiction="JP", authority__contains="final report", applies=True)
    assert (final.due_at, final.details["deadline"]) == (datetime(2026, 6, 1, 14, 59, 59, tzinfo=UTC),
                                                         {"unit": "calendar_days", "amount": 59})
    assert "Enforcement Rules Art. 8(2)" in final.reason
    services.risk_assessment_update(actor=responder, incident=leak, assessment=ASSESSMENT | {"malicious": False})
    final.refresh_from_db()
    assert final.due_at == datetime(2026, 5, 2, 14, 59, 59, tzinfo=UTC)
    change = final.due_changes.last()
    assert (change.previous_due_at, change.reason) == (datetime(2026, 6, 1, 14, 59, 59, tzinfo=UTC),
                                                      "risk assessed as high")


def test_legal_no_harm_determination_lifts_new_york_resident_notice_and_not_california(api_as, responder, legal):
    mistake = services.incident_create(
        actor=responder, title="Claims file e-mailed to the wrong adjuster",
        aware_at=datetime(2026, 5, 4, 14, 0, tzinfo=UTC), affected={"US-NY": 40, "US-CA": 2},
        data_categories=["name", "ssn"],
    )
    assert duty(mistake, "US-NY", "individuals").due_at == datetime(2026, 6, 4, 3, 59, 59, tzinfo=UTC)
    response = api_as(legal).put(
        f"/api/incidents/{mistake.ref}/no-harm-determination/",
        {"reason": "Sent to an authorised colleague by mistake; deleted unread, confirmed in writing."},
        format="json",
    )
    assert response.status_code == 200, response.content
    withdrawn = Obligation.objects.get(incident=mistake, jurisdiction="US-NY", audience="individuals")
    assert withdrawn.applies is False
    assert duty(mistake, "US-CA", "individuals").applies
    api_as(legal).delete(f"/api/incidents/{mistake.ref}/no-harm-determination/")
    assert duty(mistake, "US-NY", "individuals").due_at == datetime(2026, 6, 4, 3, 59, 59, tzinfo=UTC)
