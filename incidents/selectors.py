"""Reads that are more than a one-line query."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404

from incidents.models import Incident, Obligation, OrganisationProfile


def incident_list(*, user):
    if not user.has_perm("incidents.view_incident"):
        raise PermissionDenied("You need the permission 'incidents.view_incident' to see incidents.")
    return Incident.objects.prefetch_related("affected").select_related("risk_assessment")


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


def organisation_profile(*, user) -> OrganisationProfile:
    if not user.has_perm("incidents.view_incident"):
        raise PermissionDenied("You need the permission 'incidents.view_incident' to see the profile.")
    return OrganisationProfile.current()
