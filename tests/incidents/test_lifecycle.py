"""The incident lifecycle: every transition allowed and refused, per role, with its reasons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from incidents import services
from incidents.errors import Conflict
from incidents.models import Audience, IncidentState, Obligation, ObligationStatus, RiskAssessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(responder):
    """An incident whose population is not yet known, so only the obligations a test adds exist."""
    return services.incident_create(
        actor=responder, title="Lost backup tape", aware_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
    )


def complete_assessment(incident):
    RiskAssessment.objects.create(incident=incident, computed_level="high", completed_at=timezone.now())


def add_obligation(incident, *, audience, status=ObligationStatus.OPEN, started=True):
    return Obligation.objects.create(
        incident=incident, jurisdiction="EU", audience=audience, authority=f"Authority for {audience}",
        clock_start="aware", clock_started_at=incident.aware_at if started else None,
        basis="GDPR Art. 33(1)", rule_status="confirmed", status=status,
    )


def move(incident, actor, *names, reason=""):
    for name in names:
        incident = services.incident_transition(actor=actor, incident=incident, name=name, reason=reason)
    return incident


def test_new_incident_is_detected_with_a_yearly_reference(incident):
    assert incident.state == IncidentState.DETECTED
    assert incident.ref == "INC-2026-0001"


def test_responder_contains_with_a_summary_and_the_time_is_recorded(incident, responder):
    incident = move(incident, responder, "contain", reason="Snapshot made private; keys rotated.")
    assert incident.state == IncidentState.CONTAINED
    assert incident.containment_summary == "Snapshot made private; keys rotated."
    assert incident.contained_at is not None


def test_contain_without_a_summary_says_what_is_missing(incident, responder):
    with pytest.raises(Conflict, match="containment summary is required"):
        move(incident, responder, "contain")


def test_assess_needs_a_completed_risk_assessment(incident, responder):
    incident = move(incident, responder, "contain", reason="Closed the bucket.")
    with pytest.raises(Conflict, match="completed risk assessment is required"):
        move(incident, responder, "assess")
    complete_assessment(incident)
    assert move(incident, responder, "assess").state == IncidentState.ASSESSED


@pytest.fixture
def assessed(incident, responder):
    incident = move(incident, responder, "contain", reason="Closed the bucket.")
    complete_assessment(incident)
    return move(incident, responder, "assess")


@pytest.mark.parametrize("name", ["notify_regulators", "close"])
def test_responder_cannot_run_legal_transitions(assessed, responder, name):
    with pytest.raises(PermissionDenied):
        move(assessed, responder, name, reason="No risk.")


@pytest.mark.parametrize("name", ["contain", "assess"])
def test_legal_cannot_run_responder_transitions(incident, legal, name):
    with pytest.raises(PermissionDenied):
        move(incident, legal, name, reason="Done.")


def test_outsider_can_run_no_transition(incident, outsider):
    for name in ("contain", "assess", "notify_regulators", "notify_users", "close", "reopen"):
        with pytest.raises(PermissionDenied):
            move(incident, outsider, name, reason="x")


def test_admin_runs_the_whole_lifecycle(incident, admin_user):
    incident = move(incident, admin_user, "contain", reason="Closed the bucket.")
    complete_assessment(incident)
    incident = move(incident, admin_user, "assess", "notify_regulators", "notify_users", "close")
    assert incident.state == IncidentState.CLOSED
    assert incident.closed_at is not None


def test_notify_regulators_waits_for_started_regulator_obligations(assessed, legal):
    obligation = add_obligation(assessed, audience=Audience.REGULATOR)
    with pytest.raises(Conflict, match="Every regulator obligation whose clock has started"):
        move(assessed, legal, "notify_regulators")
    obligation.status = ObligationStatus.MET
    obligation.save()
    assert move(assessed, legal, "notify_regulators").state == IncidentState.REGULATORS_NOTIFIED


def test_an_obligation_whose_clock_has_not_started_does_not_block(assessed, legal):
    add_obligation(assessed, audience=Audience.REGULATOR, started=False)
    assert move(assessed, legal, "notify_regulators").state == IncidentState.REGULATORS_NOTIFIED


def test_notify_users_waits_for_individual_obligations(assessed, legal):
    move(assessed, legal, "notify_regulators")
    add_obligation(assessed, audience=Audience.INDIVIDUALS, status=ObligationStatus.OVERDUE)
    with pytest.raises(Conflict, match="Every individual-notice obligation"):
        move(assessed, legal, "notify_users")


def test_close_needs_every_obligation_met_or_exempted(assessed, legal):
    move(assessed, legal, "notify_regulators", "notify_users")
    add_obligation(assessed, audience=Audience.CONSUMER_REPORTING_AGENCIES, started=False)
    with pytest.raises(Conflict, match="Every obligation must be met or exempted"):
        move(assessed, legal, "close")


def test_close_from_assessed_needs_the_no_notification_reason(assessed, legal):
    with pytest.raises(Conflict, match="Closing without notifying needs a reason"):
        move(assessed, legal, "close")
    closed = move(assessed, legal, "close", reason="Encrypted laptop, key not compromised: no risk.")
    assert closed.state == IncidentState.CLOSED
    assert closed.closure_reason == "Encrypted laptop, key not compromised: no risk."


def test_reopen_needs_a_reason_and_returns_to_assessed(assessed, legal):
    closed = move(assessed, legal, "close", reason="No risk.")
    with pytest.raises(Conflict, match="Reopening needs a reason"):
        move(closed, legal, "reopen")
    reopened = move(closed, legal, "reopen", reason="Attacker published the data.")
    assert reopened.state == IncidentState.ASSESSED
    assert reopened.closed_at is None


def test_a_second_close_from_assessed_needs_a_fresh_reason(assessed, legal):
    closed = move(assessed, legal, "close", reason="No risk.")
    reopened = move(closed, legal, "reopen", reason="New facts.")
    with pytest.raises(Conflict, match="Closing without notifying needs a reason"):
        move(reopened, legal, "close")


@pytest.mark.parametrize(
    ("names", "refused"),
    [
        ((), "assess"),
        ((), "notify_regulators"),
        (("contain",), "contain"),
        (("contain",), "close"),
    ],
)
def test_transitions_out_of_order_are_conflicts_naming_the_state(incident, admin_user, names, refused):
    incident = move(incident, admin_user, *names, reason="Closed the bucket.")
    with pytest.raises(Conflict, match=f"it is {incident.get_state_display().lower()}"):
        move(incident, admin_user, refused, reason="x")


def test_every_transition_is_audited_with_actor_and_states(incident, responder):
    move(incident, responder, "contain", reason="Closed the bucket.")
    event = incident.audit_events.order_by("-seq").first()
    assert (event.action, event.actor_name, event.from_state, event.to_state) == (
        "incident.contain", "rita_responder", "detected", "contained",
    )
    assert event.payload == {"reason": "Closed the bucket."}


# Steps (run by an admin) that bring an incident to the source state of each transition.
_TO_SOURCE = {
    "contain": [],
    "assess": ["contain"],
    "notify_regulators": ["contain", "assess"],
    "notify_users": ["contain", "assess", "notify_regulators"],
    "close": ["contain", "assess", "notify_regulators", "notify_users"],
    "reopen": ["contain", "assess", "notify_regulators", "notify_users", "close"],
}
_ALLOWED = {
    "responder": {"contain", "assess"},
    "legal": {"notify_regulators", "notify_users", "close", "reopen"},
    "admin_user": set(_TO_SOURCE),
    "outsider": set(),
}


@pytest.mark.parametrize("role", list(_ALLOWED))
@pytest.mark.parametrize("name", list(_TO_SOURCE))
def test_each_role_may_run_exactly_its_transitions(request, incident, admin_user, role, name):
    complete_assessment(incident)
    incident = move(incident, admin_user, *_TO_SOURCE[name], reason="Recorded by the admin.")
    actor = request.getfixturevalue(role)
    if name in _ALLOWED[role]:
        assert move(incident, actor, name, reason="Done.").state != incident.state
    else:
        with pytest.raises(PermissionDenied):
            move(incident, actor, name, reason="Done.")
