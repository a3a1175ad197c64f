"""Obligation statuses: met, exempted, and the reasons the law asks for."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.actors import Actor
from incidents.audit import AuditAction, audit_record
from incidents.models import Incident, Obligation, ObligationDueChange, ObligationStatus, OrganisationProfile
from incidents.rules.engine import Facts, Plan, plan
from incidents.rules.facts import NoHarmDetermination


def _lock(obligation: Obligation) -> Obligation:
    Incident.objects.select_for_update().get(pk=obligation.incident_id)
    return Obligation.objects.select_related("incident").get(pk=obligation.pk)


@transaction.atomic
def obligation_mark_met(
    *, actor: Actor, obligation: Obligation, met_at: datetime, reason: str = "", reference: str = ""
) -> Obligation:
    """Record that the duty was fulfilled at ``met_at`` (with the authority's reference, if any).

    Raises ValidationError on ``reason`` when ``met_at`` is after the due time and no
    reason for the delay is given (GDPR Art. 33(1) asks for one).
    """
    if not actor.has_perm("incidents.change_obligation"):
        raise PermissionDenied(_("You need the permission %(permission)r to record this.") % {
            "permission": "incidents.change_obligation"})
    locked = _lock(obligation)
    late = locked.due_at is not None and met_at > locked.due_at
    if late and not reason.strip():
        raise ValidationError(
            {"reason": [_("This was due at %(due)s UTC: give the reasons for the delay.") % {
                "due": f"{locked.due_at:%Y-%m-%d %H:%M}"}]}
        )
    previous = locked.status
    locked.status, locked.met_at, locked.status_reason = ObligationStatus.MET, met_at, reason.strip()
    locked.met_reference = reference.strip()
    locked.save(update_fields=["status", "met_at", "status_reason", "met_reference"])
    audit_record(
        actor=actor, action=AuditAction.OBLIGATION_MET, incident=locked.incident, from_state=previous, to_state=locked.status,
        payload={"obligation": locked.pk, "jurisdiction": locked.jurisdiction, "audience": locked.audience,
                 "met_at": met_at, "late": late, "reason": reason.strip(), "reference": reference.strip()},
    )
    incident = locked.incident
    if locked.audience == "individuals" and incident.individual_notice_sent_at is None:
        # Some regulator clocks (California's Attorney General copy) start when individuals are told.
        incident.individual_notice_sent_at = met_at
        incident.save(update_fields=["individual_notice_sent_at"])
        audit_record(actor=actor, action=AuditAction.INCIDENT_EDITED, incident=incident,
                     payload={"changes": {"individual_notice_sent_at": [None, met_at]}})
        obligations_recompute(actor=actor, incident=incident, reason="individual notice sent")
    return locked


@transaction.atomic
def obligation_exempt(*, actor: Actor, obligation: Obligation, reason: str) -> Obligation:
    """Record that the duty does not have to be fulfilled, with the reason (e.g. an Art. 34(3) exemption)."""
    if not actor.has_perm("incidents.change_obligation"):
        raise PermissionDenied(_("You need the permission %(permission)r to record this.") % {
            "permission": "incidents.change_obligation"})
    if not reason.strip():
        raise ValidationError({"reason": [_("An exemption needs its reason.")]})
    locked = _lock(obligation)
    previous = locked.status
    locked.status, locked.status_reason = ObligationStatus.EXEMPTED, reason.strip()
    locked.save(update_fields=["status", "status_reason"])
    audit_record(
        actor=actor, action=AuditAction.OBLIGATION_EXEMPTED, incident=locked.incident, from_state=previous,
        to_state=locked.status,
        payload={"obligation": locked.pk, "jurisdiction": locked.jurisdiction, "audience": locked.audience,
                 "reason": reason.strip()},
    )
    return locked


# The incident fact each clock-start code reads; the planner defaults some of them to awareness.
CLOCK_FACT = {
    "aware": "aware_at", "occurred": "occurred_at", "determined": "determined_at", "assessed": "assessed_at",
    "materiality_determined": "materiality_determined_at", "individual_notice_sent": "individual_notice_sent_at",
    "handling_closed": "handling_closed_at",
}


def incident_engine_facts(incident: Incident) -> Facts:
    """Return the rules engine's facts for an incident, with the organisation profile's regimes and role."""
    profile = OrganisationProfile.current()
    assessment = getattr(incident, "risk_assessment", None)
    completed = assessment is not None and assessment.completed_at is not None
    level = assessment.level if assessment is not None and completed else None
    return Facts(
        aware_at=incident.aware_at,
        affected=incident.affected_counts(),
        data_categories=tuple(incident.data_categories),
        occurred_at=incident.occurred_at,
        determined_at=incident.determined_at,
        assessed_at=incident.assessed_at,
        materiality_determined_at=incident.materiality_determined_at,
        individual_notice_sent_at=incident.individual_notice_sent_at,
        handling_closed_at=incident.handling_closed_at or incident.closed_at,
        encrypted=incident.encrypted,
        key_compromised=incident.key_compromised,
        redacted=incident.redacted,
        no_harm_determination=incident_no_harm_determination(incident),
        malicious=bool(completed and assessment and assessment.malicious),
        risk=level or None,
        role=incident.role or profile.default_role,
        regimes=tuple(profile.regimes),
        eu_main_establishment=profile.eu_main_establishment or None,
    )


def incident_no_harm_determination(incident: Incident) -> NoHarmDetermination | None:
    """Return legal's recorded no-harm determination, or None when there is none."""
    if not incident.no_harm_reason or incident.no_harm_determined_at is None:
        return None
    author = incident.no_harm_determined_by.get_username() if incident.no_harm_determined_by else ""
    return NoHarmDetermination(by=author, at=incident.no_harm_determined_at, reason=incident.no_harm_reason)


_TRANSITION_FACT = {"incident.assess": "assessed_at", "incident.close": "closed_at"}


def _fact_assertions(incident: Incident) -> dict[str, tuple[str, datetime]]:
    """Return, per incident fact, who last asserted it and when, read from the audit trail."""
    found: dict[str, tuple[str, datetime]] = {}
    for event in incident.audit_events.order_by("seq"):
        if event.action == "incident.created":
            found.update(dict.fromkeys(CLOCK_FACT.values(), (event.actor_name, event.created_at)))
        for fact in event.payload.get("changes", {}) if event.action == "incident.edited" else ():
            found[fact] = (event.actor_name, event.created_at)
        if event.action in _TRANSITION_FACT:
            found[_TRANSITION_FACT[event.action]] = (event.actor_name, event.created_at)
    return found


def _delay_extension(incident: Incident, start: datetime | None, due: datetime | None) -> timedelta:
    """Return how long documented law-enforcement delays overlap the clock's running window."""
    if start is None or due is None:
        return timedelta(0)
    total = timedelta(0)
    for delay in incident.law_enforcement_delays.filter(confirmed_at__isnull=False):
        overlap = min(delay.ends_at, due + total) - max(delay.starts_at, start)
        if overlap > timedelta(0):
            total += overlap
    return total


def _planned_fields(incident: Incident, planned, assertions: dict[str, tuple[str, datetime]]) -> dict:
    extension = timedelta(0)
    if planned.law_enforcement_delay_allowed:
        extension = _delay_extension(incident, planned.clock_started_at, planned.due_at)
    fact = CLOCK_FACT.get(planned.clock_start, "")
    asserted_by, asserted_at = assertions.get(fact, ("", None))
    details = {key: getattr(planned, key) for key in (
        "rule_code", "clause", "law", "portal", "address", "language", "authority_status", "channels",
        "substitute_notice", "unconfirmed", "deadline", "residence", "affected_count", "note")}
    if extension:
        details["law_enforcement_delay_days"] = round(extension.total_seconds() / 86400, 2)
    return {
        "clock_start": planned.clock_start, "clock_started_at": planned.clock_started_at,
        "due_at": planned.due_at + extension if planned.due_at else None,
        "timing": planned.timing[:300], "basis": planned.basis[:300], "rule_status": planned.status,
        "content": list(planned.content), "reason": planned.reason, "details": details, "applies": True,
        "clock_fact": fact, "clock_asserted_by": asserted_by, "clock_asserted_at": asserted_at,
        "law_enforcement_delay_allowed": planned.law_enforcement_delay_allowed,
    }


def _ledger(obligation: Obligation, previous, reason: str, actor_name: str) -> None:
    ObligationDueChange.objects.create(
        obligation=obligation, previous_due_at=previous, due_at=obligation.due_at, reason=reason,
        actor_name=actor_name, changed_at=timezone.now(),
    )


def obligations_recompute(*, actor: Actor, incident: Incident, reason: str) -> Plan:
    """Re-plan the incident's obligations from its current facts; keep statuses of those that still apply.

    1. Run the rules engine on the incident's facts (pure, no database).
    2. Create new duties, update the deadlines and bases of existing ones (ledger entry on each due change).
    3. Duties the facts no longer call for stay on record with ``applies`` off, their status kept.
    4. One audit event summarises what changed. Call inside the transaction that changed the facts.
    """
    result = plan(incident_engine_facts(incident))
    actor_name = getattr(actor, "username", "") or "system"
    existing = {(o.jurisdiction, o.audience, o.authority): o for o in incident.obligations.all()}
    seen = set()
    changes: dict[str, list[str]] = {"added": [], "due_changed": [], "withdrawn": []}
    assertions, now = _fact_assertions(incident), timezone.now()
    for planned in result.obligations:
        key = (planned.jurisdiction, planned.audience, planned.authority[:300])
        seen.add(key)
        fields = _planned_fields(incident, planned, assertions)
        obligation = existing.get(key)
        if obligation is None:
            obligation = Obligation.objects.create(incident=incident, jurisdiction=key[0], audience=key[1],
                                                   authority=key[2], **fields)
            _ledger(obligation, None, f"Planned: {reason}", actor_name)
            changes["added"].append(" / ".join(key))
            continue
        previous_due = obligation.due_at
        for name, value in fields.items():
            setattr(obligation, name, value)
        if obligation.status == ObligationStatus.OVERDUE and (obligation.due_at is None or obligation.due_at > now):
            obligation.status = ObligationStatus.OPEN
        obligation.save()
        if previous_due != obligation.due_at:
            _ledger(obligation, previous_due, reason, actor_name)
            changes["due_changed"].append(" / ".join(key))
    for key, obligation in existing.items():
        if key not in seen and obligation.applies:
            obligation.applies = False
            obligation.save(update_fields=["applies"])
            _ledger(obligation, obligation.due_at, f"No longer required: {reason}", actor_name)
            changes["withdrawn"].append(" / ".join(key))
    if any(changes.values()):
        audit_record(actor=actor, action=AuditAction.OBLIGATIONS_RECOMPUTED, incident=incident,
                     payload={"reason": reason, **changes, "warnings": [w.message for w in result.warnings]})
    return result


def obligations_mark_overdue(*, now: datetime) -> int:
    """Mark open obligations past their due time overdue; return how many changed.

    A conditional UPDATE, so any number of beat or worker processes may run it at once.
    """
    return Obligation.objects.filter(status=ObligationStatus.OPEN, applies=True, due_at__lt=now).update(
        status=ObligationStatus.OVERDUE
    )
