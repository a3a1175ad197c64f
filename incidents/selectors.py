"""Reads that are more than a one-line query."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from incidents.models import Incident, IncidentState, LawEnforcementDelay, Obligation, OrganisationProfile
from incidents.obligations import incident_engine_facts
from incidents.rules.answer import facts_answer
from incidents.rules.engine import NotRequired, plan


def incident_list(*, user):
    if not user.has_perm("incidents.view_incident"):
        raise PermissionDenied("You need the permission 'incidents.view_incident' to see incidents.")
    return Incident.objects.filter(deleted_at=None).prefetch_related("affected").select_related("risk_assessment")


def incident_get(*, user, ref: str) -> Incident:
    return get_object_or_404(incident_list(user=user), ref=ref)


def incident_audit_events(*, user, incident: Incident):
    if not user.has_perm("incidents.view_auditevent"):
        raise PermissionDenied("You need the permission 'incidents.view_auditevent' to read the audit trail.")
    return incident.audit_events.order_by("seq")


def incident_available_transitions(*, user, incident: Incident) -> list[dict]:
    """Return the transitions this user may attempt now, each with the conditions still unmet."""
    return [
        {"name": name, "label": name.replace("_", " ").capitalize(), "unmet": incident.unmet_conditions(name)}
        for name in Incident.TRANSITIONS
        if incident.can_transition(name) and user.has_perm(Incident.transition_permission(name))
    ]


def incident_obligations(*, user, incident: Incident):
    if not user.has_perm("incidents.view_obligation"):
        raise PermissionDenied("You need the permission 'incidents.view_obligation' to see obligations.")
    return incident.obligations.prefetch_related("due_changes").order_by(
        "-applies", F("due_at").asc(nulls_last=True), "jurisdiction", "audience"
    )


def obligation_get(*, user, pk: int) -> Obligation:
    if not user.has_perm("incidents.view_obligation"):
        raise PermissionDenied("You need the permission 'incidents.view_obligation' to see obligations.")
    return get_object_or_404(Obligation.objects.select_related("incident"), pk=pk)


def law_enforcement_delay_get(*, user, ref: str, pk: int) -> LawEnforcementDelay:
    return get_object_or_404(LawEnforcementDelay.objects.select_related("incident", "recorded_by"),
                             incident=incident_get(user=user, ref=ref), pk=pk)


def organisation_profile(*, user) -> OrganisationProfile:
    if not user.has_perm("incidents.view_incident"):
        raise PermissionDenied("You need the permission 'incidents.view_incident' to see the profile.")
    return OrganisationProfile.current()


def obligation_snapshot(*, incident: Incident) -> dict[int, tuple[str | None, bool]]:
    """Return each obligation's due time (ISO) and whether it applies, to compare after an edit."""
    return {
        row.pk: (row.due_at.isoformat() if row.due_at else None, row.applies)
        for row in incident.obligations.only("pk", "due_at", "applies")
    }


def incident_not_required(*, incident: Incident) -> dict[tuple[str, str, str], NotRequired]:
    """Return the duties the rules engine rules out for the incident's facts now, with the reason, by key."""
    result = plan(incident_engine_facts(incident))
    return {(item.jurisdiction, item.audience, item.authority[:300]): item for item in result.not_required}


def incident_decisions(*, incident: Incident) -> dict[str, Any]:
    """Return the plan for the incident's facts now with every decision's trace and the what-if changes."""
    return facts_answer(incident_engine_facts(incident), explain=True, what_if=True)


def obligation_changes(*, incident: Incident, before: dict[int, tuple[str | None, bool]]) -> dict[str, list]:
    """Return what the rules engine changed since ``before``: duties added, deadlines moved, duties withdrawn.

    JSON-ready (ids and ISO times) so the page can show it after a redirect. A moved deadline carries the
    ledger's reason, a withdrawn duty the engine's reason for not requiring it.
    """
    changes: dict[str, list] = {"added": [], "moved": [], "withdrawn": []}
    not_required = None
    for row in incident.obligations.prefetch_related("due_changes"):
        old_due, old_applies = before.get(row.pk, (None, False))
        new_due = row.due_at.isoformat() if row.due_at else None
        if row.applies and not old_applies:
            changes["added"].append(row.pk)
        elif row.applies and old_due != new_due:
            ledger = list(row.due_changes.all())
            changes["moved"].append([row.pk, old_due, new_due, ledger[-1].reason if ledger else ""])
        elif old_applies and not row.applies:
            if not_required is None:
                not_required = incident_not_required(incident=incident)
            why = not_required.get((row.jurisdiction, row.audience, row.authority))
            changes["withdrawn"].append([row.pk, why.reason if why else ""])
    return changes


def incidents_due_for_contact_purge(*, now: datetime) -> QuerySet[Incident]:
    """Closed incidents past the organisation's retention, with no legal hold, not yet purged."""
    retention = timedelta(days=OrganisationProfile.current().contact_retention_days)
    return Incident.objects.filter(
        state=IncidentState.CLOSED, closed_at__lte=now - retention, legal_hold_at__isnull=True,
        contacts_purged_at__isnull=True,
    ).order_by("closed_at")
