"""Every write to an incident: create, edit facts, transitions.

Each service checks the actor's permission on the server, changes the rows
inside one transaction holding the incident's row lock, and appends an audit
event in that same transaction.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from incidents.actors import Actor, may_transition, require_permission
from incidents.audit import AuditAction, audit_record
from incidents.checklist import checklist_copy
from incidents.errors import Conflict
from incidents.labels import TRANSITIONS, label
from incidents.models import (
    AffectedPopulation,
    Incident,
    IncidentSequence,
    IncidentState,
    IncidentType,
    LawEnforcementDelay,
    OrganisationProfile,
    RiskAssessment,
    Role,
    UserPreference,
)
from incidents.obligations import obligations_recompute
from incidents.rules import categories
from incidents.rules.facts import AFTER_AWARENESS
from incidents.rules.jurisdictions import is_known_jurisdiction
from incidents.rules.loader import load_rules
from incidents.rules.risk import AssessmentError, severity_assess
from incidents.zones import is_known_zone

# Facts the notices and the regulators' reports need (counted as missing elements until given).
NOTICE_FACTS = (
    "cause", "discovery", "discovered_at", "exposure_started_at", "exposure_ended_at", "access_status",
    "exfiltration_status", "secrets_protection", "records_count", "measures", "measures_planned", "people_informed",
    "people_informed_at", "people_informed_reason", "development", "attacker_leads", "evidence_preservation",
    "support_requested", "handling_closed_at", "accountability", "rectification", "lessons",
)
# Facts a person may edit; state and timestamps of milestones move only through transitions.
EDITABLE_FIELDS = (
    "title", "description", "systems_affected", "occurred_at", "aware_at", "determined_at",
    "materiality_determined_at", "individual_notice_sent_at", "encrypted",
    "encrypted_in_transit", "key_compromised", "redacted", "data_categories", "role", "containment_summary",
    *NOTICE_FACTS,
)


# A count of people is at most this: more than the world's population is a typo, and 2**31 and above
# used to reach the database and fail there.
MAX_PEOPLE = 2_000_000_000

CONFIRM_DELAY = "incidents.confirm_lawenforcementdelay"


def incident_validate_facts(
    *, occurred_at: datetime | None, aware_at: datetime | None,
    affected: dict[str, int] | None, data_categories: list[str] | None, role: str = "",
) -> None:
    """Raise ValidationError naming each field whose value no incident may have."""
    errors: dict[str, list[str]] = {}
    if aware_at is not None and timezone.is_naive(aware_at):
        errors.setdefault("aware_at", []).append("aware_at needs a time zone offset.")
    if occurred_at is not None and timezone.is_naive(occurred_at):
        errors.setdefault("occurred_at", []).append("occurred_at needs a time zone offset.")
    if not errors and occurred_at and aware_at and aware_at < occurred_at:
        errors.setdefault("aware_at", []).append(
            _("aware_at cannot be before occurred_at: nobody becomes aware of a breach before it happens.")
        )
    for code, count in (affected or {}).items():
        if not is_known_jurisdiction(code):
            errors.setdefault("affected", []).append(
                f"Unknown jurisdiction code {code!r}: use ISO 3166-1 alpha-2 (DE, CN, SG) or ISO 3166-2 for "
                "US states and Canadian provinces (US-CA, CA-QC)."
            )
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_PEOPLE:
            errors.setdefault("affected", []).append(
                _("The count for %(code)s must be a whole number from 0 to %(most)s.")
                % {"code": code, "most": f"{MAX_PEOPLE:,}"})
    unknown = categories.unknown_codes(list(data_categories or []))
    if unknown:
        errors.setdefault("data_categories", []).append(f"Unknown data category code(s): {', '.join(unknown)}.")
    if role and role not in Role.values:
        errors.setdefault("role", []).append(f"role must be one of {', '.join(Role.values)}.")
    if errors:
        raise ValidationError(errors)


def incident_measures_clean(measures: list[dict]) -> list[dict[str, str]]:
    """Return the measures taken as stored: ``[{"at": ISO 8601 with offset, "text": ...}]`` in time order.

    Raises ValidationError on ``measures`` for a measure without its text or an aware time.
    """
    cleaned = []
    for index, measure in enumerate(measures, start=1):
        at, text = measure.get("at"), str(measure.get("text", "")).strip()
        if isinstance(at, str):
            try:
                at = parse_datetime(at)
            except ValueError:  # well formed but impossible, such as minute 61
                at = None
        if not isinstance(at, datetime) or timezone.is_naive(at) or not text:
            raise ValidationError({"measures": [
                _("Measure %(n)s needs what was done and when, as a time with its zone offset.") % {"n": index}]})
        cleaned.append((at, text))
    return [{"at": at.astimezone(UTC).isoformat(), "text": text}
            for at, text in sorted(cleaned, key=lambda measure: measure[0])]


def _validate_notice_facts(incident: Incident) -> None:
    errors: dict[str, list[str]] = {}
    for name in ("discovered_at", "exposure_started_at", "exposure_ended_at", "people_informed_at",
                 "handling_closed_at"):
        value = getattr(incident, name)
        if value is not None and timezone.is_naive(value):
            errors[name] = [f"{name} needs a time zone offset."]
    # The planner's moments that only come after awareness; assessed_at is stamped by the assess transition.
    for name in (name for name in AFTER_AWARENESS if name != "assessed_at"):
        value = getattr(incident, name)
        if name not in errors and value is not None and not timezone.is_naive(value) and value < incident.aware_at:
            errors[name] = [_("This cannot be before the organisation became aware (aware_at): a legal clock "
                              "counted from it would start before awareness.")]
    if (not errors and incident.exposure_started_at and incident.exposure_ended_at
            and incident.exposure_ended_at < incident.exposure_started_at):
        errors["exposure_ended_at"] = [_("The exposure cannot end before it started.")]
    if errors:
        raise ValidationError(errors)


def _next_ref(year: int) -> str:
    IncidentSequence.objects.get_or_create(year=year)
    IncidentSequence.objects.filter(year=year).update(last=F("last") + 1)
    number = IncidentSequence.objects.get(year=year).last
    return f"INC-{year}-{number:04d}"


def _set_affected(incident: Incident, affected: dict[str, int]) -> None:
    for code, count in affected.items():
        AffectedPopulation.objects.update_or_create(
            incident=incident, jurisdiction=code, defaults={"declared_count": count}
        )
    incident.affected.exclude(jurisdiction__in=list(affected)).filter(identified_count=0).delete()
    incident.affected.exclude(jurisdiction__in=list(affected)).update(declared_count=0)


@transaction.atomic
def incident_create(
    *, actor: Actor, title: str, aware_at: datetime, affected: dict[str, int] | None = None,
    data_categories: list[str] | None = None, is_drill: bool = False, drill_alerts: bool = False,
    incident_type: IncidentType | None = None, **facts: Any,
) -> Incident:
    """Create an incident in ``detected`` with the next reference of the awareness year, owned by its creator.

    ``is_drill`` marks an exercise (fixed at creation); ``drill_alerts`` lets a drill send deadline reminders;
    ``incident_type`` gives the incident its emergency-plan checklist.
    """
    require_permission(actor, "incidents.add_incident")
    unexpected = set(facts) - set(EDITABLE_FIELDS)
    if unexpected:
        raise ValidationError({name: ["This field cannot be set."] for name in sorted(unexpected)})
    if "measures" in facts:
        facts["measures"] = incident_measures_clean(facts["measures"])
    incident_validate_facts(
        occurred_at=facts.get("occurred_at"), aware_at=aware_at, affected=affected,
        data_categories=data_categories, role=facts.get("role", ""),
    )
    incident = Incident(
        title=title, aware_at=aware_at, data_categories=list(data_categories or []), created_by=actor, owner=actor,
        is_drill=is_drill, drill_alerts=is_drill and drill_alerts, incident_type=incident_type, **facts
    )
    _validate_notice_facts(incident)
    incident.ref = _next_ref(aware_at.year if aware_at else timezone.now().year)
    incident.full_clean(exclude=["ref", "created_by", "state"])
    incident.save()
    _set_affected(incident, affected or {})
    checklist_copy(incident=incident, incident_type=incident_type)
    audit_record(
        actor=actor, action=AuditAction.INCIDENT_CREATED, incident=incident, to_state=incident.state,
        payload={"facts": incident_facts(incident), "owner": actor.get_username(), "is_drill": incident.is_drill},
    )
    obligations_recompute(actor=actor, incident=incident, reason="incident created")
    return incident


def incident_facts(incident: Incident) -> dict[str, Any]:
    """Return the incident's facts in the planner's keys and shapes."""
    return {
        "title": incident.title,
        "occurred_at": incident.occurred_at,
        "aware_at": incident.aware_at,
        "affected": incident.affected_counts(),
        "data_categories": list(incident.data_categories),
        "encrypted": incident.encrypted,
        "encrypted_in_transit": incident.encrypted_in_transit,
        "key_compromised": incident.key_compromised,
        "redacted": incident.redacted,
        "role": incident.role,
    }


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


@transaction.atomic
def incident_update(*, actor: Actor, incident: Incident, affected: dict[str, int] | None = None, **changes: Any) -> Incident:
    """Edit an incident's facts and audit each field's old and new value."""
    require_permission(actor, "incidents.change_incident")
    unexpected = set(changes) - set(EDITABLE_FIELDS)
    if unexpected:
        raise ValidationError({name: ["This field cannot be changed here."] for name in sorted(unexpected)})
    if "measures" in changes:
        changes["measures"] = incident_measures_clean(changes["measures"])
    locked = _lock(incident)
    if locked.state == IncidentState.CLOSED:
        raise Conflict(_("%(ref)s is closed: reopen it before changing its facts.") % {"ref": locked.ref})
    before = incident_facts(locked) | {name: getattr(locked, name) for name in changes}
    for name, value in changes.items():
        setattr(locked, name, value)
    incident_validate_facts(
        occurred_at=locked.occurred_at, aware_at=locked.aware_at, affected=affected,
        data_categories=locked.data_categories, role=locked.role,
    )
    _validate_notice_facts(locked)
    locked.full_clean(exclude=["ref", "created_by", "state"])
    locked.save()
    if affected is not None:
        _set_affected(locked, affected)
    after = incident_facts(locked) | {name: getattr(locked, name) for name in changes}
    diff = {name: [before[name], after[name]] for name in after if before.get(name) != after[name]}
    if diff:
        audit_record(actor=actor, action=AuditAction.INCIDENT_EDITED, incident=locked, payload={"changes": diff})
        obligations_recompute(actor=actor, incident=locked, reason=f"facts edited: {', '.join(sorted(diff))}")
    return locked


_CONTEXT_FIELD = {"contain": "containment_summary", "close": "closure_reason", "reopen": "reopen_reason"}
_MILESTONE_FIELD = {"contain": "contained_at", "assess": "assessed_at", "close": "closed_at"}


@transaction.atomic
def incident_transition(*, actor: Actor, incident: Incident, name: str, reason: str = "") -> Incident:
    """Move the incident along its lifecycle.

    1. An unknown transition is a conflict; a missing permission is refused.
    2. The row is locked, so of two people acting at once the second sees the first's result.
    3. ``reason`` fills the transition's text (containment summary, closure or reopen reason).
    4. Not allowed from the current state, or unmet conditions: Conflict naming why.
    5. Transition, milestone timestamp, save and audit event commit together.
    """
    if name not in Incident.TRANSITIONS:
        raise Conflict(f"Unknown transition {name!r}; the transitions are: {', '.join(Incident.TRANSITIONS)}.")
    require_permission(actor, Incident.transition_permission(name))
    locked = _lock(incident)
    source = locked.state
    method = getattr(locked, name)
    if not locked.can_transition(name):
        raise Conflict(_("“%(step)s” is not possible for %(ref)s: it is %(state)s.") % {
            "step": label(TRANSITIONS, name), "ref": locked.ref, "state": str(locked.get_state_display()).lower()})
    if name in ("close", "reopen") or (name in _CONTEXT_FIELD and reason.strip()):
        # A closure or reopen reason belongs to this one step; a containment summary may have been written earlier.
        setattr(locked, _CONTEXT_FIELD[name], reason.strip())
    unmet = locked.unmet_conditions(name)
    if unmet:
        raise Conflict(" ".join(str(message) for message in unmet))
    if not may_transition(method, actor):
        raise PermissionDenied(_("You may not do “%(step)s” on this incident.") % {"step": label(TRANSITIONS, name)})
    method()
    if name in _MILESTONE_FIELD:
        setattr(locked, _MILESTONE_FIELD[name], timezone.now())
    if name == "reopen":
        locked.closed_at = None
    locked.save()
    audit_record(
        actor=actor, action=AuditAction(f"incident.{name}"), incident=locked, from_state=source, to_state=locked.state,
        payload={"reason": reason.strip()} if reason.strip() else {},
    )
    if name in _MILESTONE_FIELD or name == "reopen":
        obligations_recompute(actor=actor, incident=locked, reason=f"incident {name.replace('_', ' ')}")
    return locked


@transaction.atomic
def incident_owner_set(*, actor: Actor, incident: Incident, owner) -> Incident:
    """Hand the incident to ``owner`` (an active user who may see incidents); audit the change."""
    require_permission(actor, "incidents.change_incident")
    if not owner.is_active or not owner.has_perm("incidents.view_incident"):
        raise ValidationError({"owner": [f"{owner.username} cannot see incidents, so cannot own one."]})
    locked = _lock(incident)
    previous = locked.owner
    if previous == owner:
        return locked
    locked.owner = owner
    locked.save(update_fields=["owner", "updated_at"])
    audit_record(actor=actor, action=AuditAction.INCIDENT_OWNER_CHANGED, incident=locked,
                 payload={"from": getattr(previous, "username", ""), "to": owner.username})
    return locked


@transaction.atomic
def drill_delete(*, actor: Actor, incident: Incident) -> Incident:
    """Delete a drill (admins): it disappears from every page, list, feed and reminder.

    Audit events are append-only and point at their incident, so the drill's row and its own chain stay
    (hidden); the deletion is recorded on the drill's chain and on the organisation's chain.
    """
    require_permission(actor, "incidents.delete_incident")
    locked = _lock(incident)
    if not locked.is_drill:
        raise ValidationError(_("Only a drill can be deleted; a real incident stays on record."))
    if locked.deleted_at is not None:
        raise Conflict(f"{locked.ref} was already deleted.")
    locked.deleted_at = timezone.now()
    locked.save(update_fields=["deleted_at", "updated_at"])
    payload = {"ref": locked.ref, "title": locked.title}
    audit_record(actor=actor, action=AuditAction.DRILL_DELETED, incident=locked, payload=payload)
    audit_record(actor=actor, action=AuditAction.DRILL_DELETED, payload=payload)
    return locked


@transaction.atomic
def incident_record_identified(*, actor: Actor, incident: Incident, counts: dict[str, int]) -> Incident:
    """Set how many affected people imports have identified per jurisdiction, and audit the change.

    Obligations use the larger of this and the responders' declared estimate.
    """
    locked = _lock(incident)
    before = {row.jurisdiction: row.identified_count for row in locked.affected.all()}
    for code, count in counts.items():
        AffectedPopulation.objects.update_or_create(
            incident=locked, jurisdiction=code, defaults={"identified_count": count}
        )
    changed = {code: [before.get(code, 0), count] for code, count in counts.items() if before.get(code, 0) != count}
    if changed:
        audit_record(actor=actor, action=AuditAction.INCIDENT_IDENTIFIED_COUNTS, incident=locked, payload={"changes": changed})
        obligations_recompute(actor=actor, incident=locked, reason="people identified by a recipient import")
    return locked


@transaction.atomic
def risk_assessment_update(
    *, actor: Actor, incident: Incident, assessment: dict[str, Any], risk_override: str = "", override_reason: str = "",
) -> RiskAssessment:
    """Record the ENISA assessment (and legal's override, with its reason); recompute obligations.

    Raises ValidationError naming the assessment key that is wrong, PermissionDenied for an
    override without the ``override_risk_incident`` permission.
    """
    require_permission(actor, "incidents.change_incident")
    locked = _lock(incident)
    try:
        severity = severity_assess(data_categories=locked.data_categories, assessment=assessment)
    except AssessmentError as exc:
        raise ValidationError({exc.field: [exc.message]}) from exc
    record, _created = RiskAssessment.objects.get_or_create(incident=locked)
    previous_override = record.risk_override
    if risk_override != previous_override or (risk_override and override_reason != record.override_reason):
        require_permission(actor, "incidents.override_risk_incident")
        if risk_override and not override_reason.strip():
            raise ValidationError({"override_reason": [_("Overriding the assessed level needs a written reason.")]})
        if risk_override and risk_override not in ("low", "medium", "high", "very_high"):
            raise ValidationError({"risk_override": ["Use low, medium, high or very_high."]})
        record.risk_override, record.override_reason = risk_override, override_reason.strip()
        record.overridden_by_id = actor.pk if risk_override else None
    for key in ("ease_of_identification", "confidentiality", "integrity", "availability"):
        setattr(record, key, assessment[key])
    record.volume = assessment.get("volume", "normal")
    record.malicious = bool(assessment.get("malicious", False))
    record.score, record.computed_level = severity.score, severity.level
    record.completed_at, record.completed_by_id = timezone.now(), actor.pk
    record.save()
    audit_record(
        actor=actor, action=AuditAction.RISK_ASSESSED, incident=locked,
        payload={"assessment": assessment, "severity": severity.as_dict(), "risk_override": record.risk_override,
                 "override_reason": record.override_reason},
    )
    locked.risk_assessment = record
    obligations_recompute(actor=actor, incident=locked, reason=f"risk assessed as {record.level}")
    return record


@transaction.atomic
def law_enforcement_delay_record(
    *, actor: Actor, incident: Incident, agency: str, form: str, statement: str, starts_at: datetime, ends_at: datetime,
    official: str = "",
) -> LawEnforcementDelay:
    """Record a documented law-enforcement delay request; it pauses only the clocks whose law allows it.

    An oral request lasts at most 30 days (45 CFR 164.412(b)); a written one as long as it states.
    Deadlines move only once legal confirms the delay: recorded by a lawyer (``confirm_lawenforcementdelay``)
    it is confirmed at once, recorded by a responder it waits for ``law_enforcement_delay_confirm``.
    """
    require_permission(actor, "incidents.change_incident")
    errors: dict[str, list[str]] = {}
    if form not in LawEnforcementDelay.Form.values:
        errors["form"] = ["Use written or oral."]
    if not statement.strip():
        errors["statement"] = [_("Document what the agency asked for and why.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The delay must end after it starts.")]
    elif form == LawEnforcementDelay.Form.ORAL and ends_at - starts_at > timedelta(days=30):
        errors["ends_at"] = [
            _("An oral request delays notice for at most 30 days: get it in writing to go beyond.")]
    if errors:
        raise ValidationError(errors)
    locked = _lock(incident)
    confirmed = actor.has_perm(CONFIRM_DELAY)
    delay = LawEnforcementDelay.objects.create(
        incident=locked, agency=agency, official=official, form=form, statement=statement.strip(),
        starts_at=starts_at, ends_at=ends_at, recorded_by_id=actor.pk,
        confirmed_by_id=actor.pk if confirmed else None, confirmed_at=timezone.now() if confirmed else None,
    )
    audit_record(
        actor=actor, action=AuditAction.INCIDENT_LAW_ENFORCEMENT_DELAY, incident=locked,
        payload={"delay": delay.pk, "agency": agency, "official": official, "form": form, "starts_at": starts_at,
                 "ends_at": ends_at, "confirmed": confirmed},
    )
    if confirmed:
        obligations_recompute(actor=actor, incident=locked, reason=f"law-enforcement delay requested by {agency}")
    return delay


@transaction.atomic
def law_enforcement_delay_confirm(*, actor: Actor, delay: LawEnforcementDelay) -> LawEnforcementDelay:
    """Legal confirms a delay a responder recorded; the clocks its law allows move now.

    Raises PermissionDenied without ``confirm_lawenforcementdelay`` and Conflict when already confirmed.
    """
    require_permission(actor, CONFIRM_DELAY)
    locked = _lock(delay.incident)
    delay = LawEnforcementDelay.objects.select_for_update().get(pk=delay.pk)
    if delay.confirmed:
        raise Conflict(_("This law-enforcement delay was already confirmed."))
    delay.confirmed_by_id, delay.confirmed_at = actor.pk, timezone.now()
    delay.save(update_fields=["confirmed_by", "confirmed_at"])
    audit_record(
        actor=actor, action=AuditAction.INCIDENT_LAW_ENFORCEMENT_DELAY_CONFIRMED, incident=locked,
        payload={"delay": delay.pk, "agency": delay.agency, "recorded_by": delay.recorded_by.get_username()},
    )
    obligations_recompute(
        actor=actor, incident=locked, reason=f"law-enforcement delay requested by {delay.agency}, confirmed by legal"
    )
    return delay


@transaction.atomic
def incident_no_harm_determine(*, actor: Actor, incident: Incident, reason: str) -> Incident:
    """Record legal's determination that harm is not reasonably likely, with its author and time.

    Only laws with a no-risk-of-harm safe harbour act on it. Raises PermissionDenied without
    ``override_risk_incident`` (a legal decision, like overriding the risk level) and
    ValidationError on ``reason`` when it is empty.
    """
    require_permission(actor, "incidents.override_risk_incident")
    if not reason.strip():
        raise ValidationError({"reason": [_("A no-harm determination needs its written reason.")]})
    locked = _lock(incident)
    if locked.state == IncidentState.CLOSED:
        raise Conflict(_("%(ref)s is closed: reopen it before changing its facts.") % {"ref": locked.ref})
    locked.no_harm_reason, locked.no_harm_determined_by_id = reason.strip(), actor.pk
    locked.no_harm_determined_at = timezone.now()
    locked.save(update_fields=["no_harm_reason", "no_harm_determined_by", "no_harm_determined_at"])
    audit_record(actor=actor, action=AuditAction.INCIDENT_NO_HARM_DETERMINED, incident=locked,
                 payload={"reason": locked.no_harm_reason, "at": locked.no_harm_determined_at})
    obligations_recompute(actor=actor, incident=locked, reason="no-harm determination recorded")
    return locked


@transaction.atomic
def incident_legal_hold_place(*, actor: Actor, incident: Incident, reason: str) -> Incident:
    """Legal keeps the affected people's contact details past the retention period (litigation, inquiry).

    Raises PermissionDenied without ``override_risk_incident`` (a legal decision) and ValidationError on
    ``reason`` when it is empty; Conflict once the details are already erased.
    """
    require_permission(actor, "incidents.override_risk_incident")
    if not reason.strip():
        raise ValidationError({"reason": [_("A legal hold needs its reason.")]})
    locked = _lock(incident)
    if locked.contacts_purged_at:
        raise Conflict(_("%(ref)s: the contact details were already erased.") % {"ref": locked.ref})
    locked.legal_hold_reason, locked.legal_hold_by_id, locked.legal_hold_at = reason.strip(), actor.pk, timezone.now()
    locked.save(update_fields=["legal_hold_reason", "legal_hold_by", "legal_hold_at"])
    audit_record(actor=actor, action=AuditAction.INCIDENT_LEGAL_HOLD_PLACED, incident=locked,
                 payload={"reason": locked.legal_hold_reason})
    return locked


@transaction.atomic
def incident_legal_hold_release(*, actor: Actor, incident: Incident) -> Incident:
    """Release a legal hold; the contact details are erased at the next purge once the retention has passed."""
    require_permission(actor, "incidents.override_risk_incident")
    locked = _lock(incident)
    previous = locked.legal_hold_reason
    locked.legal_hold_reason, locked.legal_hold_by, locked.legal_hold_at = "", None, None
    locked.save(update_fields=["legal_hold_reason", "legal_hold_by", "legal_hold_at"])
    audit_record(actor=actor, action=AuditAction.INCIDENT_LEGAL_HOLD_RELEASED, incident=locked, payload={"reason": previous})
    return locked


@transaction.atomic
def incident_no_harm_withdraw(*, actor: Actor, incident: Incident) -> Incident:
    """Withdraw a no-harm determination; the duties it lifted come back."""
    require_permission(actor, "incidents.override_risk_incident")
    locked = _lock(incident)
    if locked.state == IncidentState.CLOSED:
        raise Conflict(_("%(ref)s is closed: reopen it before changing its facts.") % {"ref": locked.ref})
    previous = locked.no_harm_reason
    locked.no_harm_reason, locked.no_harm_determined_by, locked.no_harm_determined_at = "", None, None
    locked.save(update_fields=["no_harm_reason", "no_harm_determined_by", "no_harm_determined_at"])
    audit_record(actor=actor, action=AuditAction.INCIDENT_NO_HARM_WITHDRAWN, incident=locked, payload={"reason": previous})
    obligations_recompute(actor=actor, incident=locked, reason="no-harm determination withdrawn")
    return locked


PROFILE_FIELDS = (
    "legal_name", "dpo_name", "dpo_email", "dpo_phone", "dpo_address", "website", "eu_main_establishment",
    "regimes", "default_role", "identity_protection_offer", "identity_protection_months", "call_centre_phone",
    "call_centre_hours", "time_zone", "sms_routes", "contact_retention_days", "eu_representative",
    "pipl_representative", "sending_domains", "email_sender", "sms_sender",
    "reminder_minutes", "short_clock_reminder_minutes", "short_clock_hours", "drill_recipients",
)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _email_sender_check(fields: dict[str, Any]) -> None:
    """The e-mail sender must be on one of the sending domains (the profile's, or those being set)."""
    profile = OrganisationProfile.current()
    sender = fields.get("email_sender", profile.email_sender) or ""
    domains = fields.get("sending_domains", profile.sending_domains) or []
    if sender and domains:
        domain = sender.rpartition("@")[2].lower()
        if not any(domain == known or domain.endswith(f".{known}") for known in domains):
            raise ValidationError({"email_sender": [
                _("%(address)s is not on a sending domain (%(domains)s): use an address there, or add its domain "
                  "to the sending domains.") % {"address": sender, "domains": ", ".join(domains)}]})


def drill_recipients_normalise(entries: list[str]) -> list[str]:
    """Return the drill's test addresses as the importer stores contacts: e-mail with its domain in lower case,
    phone numbers in E.164. Raises ValidationError naming the entries that are neither."""
    normalised, wrong = [], []
    for entry in (str(entry).strip() for entry in entries):
        if not entry:
            continue
        if "@" in entry:
            try:
                validate_email(entry)
            except ValidationError:
                wrong.append(entry)
                continue
            local, _at, domain = entry.rpartition("@")
            normalised.append(f"{local}@{domain.lower()}")
            continue
        try:
            number = phonenumbers.parse(entry, None)
        except phonenumbers.NumberParseException:
            wrong.append(entry)
            continue
        if not phonenumbers.is_valid_number(number):
            wrong.append(entry)
            continue
        normalised.append(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    if wrong:
        raise ValidationError({"drill_recipients": [
            _("Not an e-mail address or a phone number with its country code (+…): %(entries)s.") % {
                "entries": ", ".join(wrong)}]})
    return list(dict.fromkeys(normalised))


@transaction.atomic
def organisation_profile_update(*, actor: Actor, **fields: Any) -> OrganisationProfile:
    """Edit the organisation profile, audit it, and re-plan every incident that is not closed."""
    require_permission(actor, "incidents.change_organisationprofile")
    unexpected = set(fields) - set(PROFILE_FIELDS)
    if unexpected:
        raise ValidationError({name: ["This field cannot be set."] for name in sorted(unexpected)})
    unknown = sorted(set(fields.get("regimes", [])) - load_rules().regimes)
    if unknown:
        raise ValidationError({"regimes": [f"Unknown regime(s): {', '.join(unknown)}; the rule files know "
                                           f"{', '.join(sorted(load_rules().regimes))}."]})
    if "sending_domains" in fields:
        fields["sending_domains"] = [domain.strip().lower() for domain in fields["sending_domains"] if domain.strip()]
        wrong = [domain for domain in fields["sending_domains"] if not _DOMAIN.match(domain)]
        if wrong:
            raise ValidationError({"sending_domains": [
                _("Not a domain name: %(domains)s (write e.g. example.com, without https:// or a path).") % {
                    "domains": ", ".join(wrong)}]})
    _email_sender_check(fields)
    if "drill_recipients" in fields:
        fields["drill_recipients"] = drill_recipients_normalise(fields["drill_recipients"])
    if "time_zone" in fields and not is_known_zone(fields["time_zone"]):
        raise ValidationError({"time_zone": [f"Unknown time zone {fields['time_zone']!r}: use an IANA name."]})
    profile = OrganisationProfile.current()
    before = {name: getattr(profile, name) for name in fields}
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    diff = {name: [before[name], value] for name, value in fields.items() if before[name] != value}
    audit_record(actor=actor, action=AuditAction.ORGANISATION_PROFILE_EDITED, payload={"changes": diff})
    for incident in Incident.objects.exclude(state=IncidentState.CLOSED).select_for_update():
        obligations_recompute(actor=actor, incident=incident, reason="organisation profile edited")
    return profile


def user_preference_update(*, actor: Actor, time_zone: str, language: str) -> UserPreference:
    """Set the actor's own time zone and language (blank: the organisation's zone, the browser's language)."""
    errors: dict[str, list[str]] = {}
    if time_zone and not is_known_zone(time_zone):
        errors["time_zone"] = [f"Unknown time zone {time_zone!r}."]
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = [f"Unknown language {language!r}."]
    if errors:
        raise ValidationError(errors)
    preference, _created = UserPreference.objects.update_or_create(
        user=actor, defaults={"time_zone": time_zone, "language": language}
    )
    return preference
