"""Incidents: the facts of a breach, its lifecycle, its risk and its obligations."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from incidents.audit import AuditEvent, AuditHead
from incidents.fsm import condition
from incidents.rules import categories

__all__ = [
    "AffectedPopulation", "AuditEvent", "AuditHead", "ChecklistItem", "ChecklistTemplateItem", "Incident",
    "IncidentType", "IncidentSequence", "Obligation", "RiskAssessment",
    "UserPreference",
]


class IncidentState(models.TextChoices):
    DETECTED = "detected", _("Detected")
    CONTAINED = "contained", _("Contained")
    ASSESSED = "assessed", _("Assessed")
    REGULATORS_NOTIFIED = "regulators_notified", _("Regulators notified")
    USERS_NOTIFIED = "users_notified", _("Users notified")
    CLOSED = "closed", _("Closed")


class Role(models.TextChoices):
    CONTROLLER = "controller", _("Controller")
    PROCESSOR = "processor", _("Processor")


class Audience(models.TextChoices):
    REGULATOR = "regulator", _("Regulator")
    INDIVIDUALS = "individuals", _("Individuals")
    CONSUMER_REPORTING_AGENCIES = "consumer_reporting_agencies", _("Consumer reporting agencies")
    MEDIA = "media", _("Media")
    CONTROLLER = "controller", _("Controller")


class Finding(models.TextChoices):
    """How far an investigation has established something (access to the data, its exfiltration)."""

    CONFIRMED = "confirmed", _("Confirmed")
    SUSPECTED = "suspected", _("Suspected")
    RULED_OUT = "ruled_out", _("Ruled out")


class PeopleInformed(models.TextChoices):
    WILL_INFORM = "will_inform", _("They will be told")
    WILL_NOT_INFORM = "will_not_inform", _("They will not be told")


class IncidentSequence(models.Model):
    """The last reference number handed out per year (INC-2026-0001, ...)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


@condition(_("A containment summary is required: say what was done to stop the incident spreading."))
def _has_containment_summary(incident: Incident) -> bool:
    return bool(incident.containment_summary.strip())


def _checklist_left(incident: Incident) -> list[str]:
    return [item.text for item in incident.checklist_items.all() if not item.settled]


def _checklist_message(incident: Incident) -> str:
    return gettext("Every item of the emergency-plan checklist must be done or waived with a reason. "
                   "Still to do: %(items)s.") % {"items": "; ".join(_checklist_left(incident))}


@condition(_("Every item of the emergency-plan checklist must be done or waived with a reason."),
           describe=_checklist_message)
def _checklist_settled(incident: Incident) -> bool:
    return not _checklist_left(incident)


@condition(_("A completed risk assessment is required before the incident can be marked assessed."))
def _risk_assessed(incident: Incident) -> bool:
    assessment = getattr(incident, "risk_assessment", None)
    return assessment is not None and assessment.completed_at is not None


@condition(_("Every regulator obligation whose clock has started must be met or exempted with a reason."))
def _regulator_obligations_done(incident: Incident) -> bool:
    return not incident.pending_obligations(audience=Audience.REGULATOR).exists()


@condition(_("Every individual-notice obligation whose clock has started must be met or exempted with a reason."))
def _individual_obligations_done(incident: Incident) -> bool:
    return not incident.pending_obligations(audience=Audience.INDIVIDUALS).exists()


@condition(_("Every obligation must be met or exempted with a reason before the incident is closed."))
def _all_obligations_done(incident: Incident) -> bool:
    return not incident.obligations.filter(applies=True, status__in=Obligation.UNFINISHED).exists()


@condition(_(
    "Closing without notifying needs a reason: the assessment's conclusion that no notification is "
    "owed (it becomes the breach register entry)."
))
def _closure_reason_when_not_notifying(incident: Incident) -> bool:
    return incident.state != IncidentState.ASSESSED or bool(incident.closure_reason.strip())


@condition(_("Reopening needs a reason: the new facts that emerged."))
def _has_reopen_reason(incident: Incident) -> bool:
    return bool(incident.reopen_reason.strip())


class Incident(ConcurrentTransitionMixin, models.Model):
    ref = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    systems_affected = models.TextField(blank=True, help_text="Systems and products affected.")
    occurred_at = models.DateTimeField(null=True, blank=True)
    aware_at = models.DateTimeField(help_text="When the organisation became aware: every legal clock starts here.")
    determined_at = models.DateTimeField(
        null=True, blank=True, help_text="When the organisation determined that a breach occurred (US states)."
    )
    materiality_determined_at = models.DateTimeField(
        null=True, blank=True, help_text="When the incident was determined to be material (SEC Form 8-K Item 1.05)."
    )
    individual_notice_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When notice to individuals went out; some regulator clocks start here."
    )
    contained_at = models.DateTimeField(null=True, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    legal_hold_reason = models.TextField(
        blank=True, help_text="Why the affected people's contact details must be kept (litigation, inquiry).")
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    legal_hold_at = models.DateTimeField(null=True, blank=True)
    contacts_purged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the affected people's contact details and names were erased.")
    encrypted = models.BooleanField(default=False, help_text="Affected data was encrypted at rest.")
    encrypted_in_transit = models.BooleanField(default=False)
    key_compromised = models.BooleanField(default=False)
    redacted = models.BooleanField(
        default=False, help_text="The affected data were redacted or truncated (a safe harbour in some laws)."
    )
    no_harm_reason = models.TextField(
        blank=True, help_text="Legal's determination that harm is not reasonably likely, where a law allows one."
    )
    no_harm_determined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    no_harm_determined_at = models.DateTimeField(null=True, blank=True)
    data_categories = models.JSONField(default=list, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True, help_text="Overrides the profile.")
    containment_summary = models.TextField(blank=True)
    # What the notices and the regulators' reports need beyond the planner's facts.
    cause = models.TextField(blank=True, help_text="The cause of the breach, as far as it is known.")
    discovery = models.TextField(blank=True, help_text="How the breach was discovered.")
    discovered_at = models.DateTimeField(null=True, blank=True, help_text="When it was discovered, if not aware_at.")
    exposure_started_at = models.DateTimeField(null=True, blank=True)
    exposure_ended_at = models.DateTimeField(null=True, blank=True)
    access_status = models.CharField(max_length=20, choices=Finding.choices, blank=True)
    exfiltration_status = models.CharField(max_length=20, choices=Finding.choices, blank=True)
    secrets_protection = models.TextField(
        blank=True, help_text="How passwords or other secrets were protected: hash algorithm, encryption.")
    records_count = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Records concerned, where it differs from the number of people.")
    measures = models.JSONField(default=list, blank=True, help_text='Measures taken: [{"at": ISO time, "text": ...}].')
    measures_planned = models.TextField(blank=True)
    people_informed = models.CharField(max_length=20, choices=PeopleInformed.choices, blank=True)
    people_informed_at = models.DateTimeField(null=True, blank=True, help_text="When the people will be told.")
    people_informed_reason = models.TextField(blank=True, help_text="Why the people will not be told.")
    development = models.TextField(blank=True, help_text="How the incident may develop (CAC report).")
    attacker_leads = models.TextField(blank=True, help_text="The attacker, the attack path, vulnerabilities.")
    evidence_preservation = models.TextField(blank=True)
    support_requested = models.TextField(blank=True)
    handling_closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When handling of the incident ended: the CAC closing report's clock.")
    accountability = models.TextField(blank=True)
    rectification = models.TextField(blank=True)
    lessons = models.TextField(blank=True)
    closure_reason = models.TextField(blank=True)
    reopen_reason = models.TextField(blank=True)
    state = FSMField(default=IncidentState.DETECTED, choices=IncidentState.choices, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_incidents",
        help_text="Who drives the response; reminders go to them. The creator until someone else takes it.",
    )
    is_drill = models.BooleanField(
        default=False, help_text="An exercise: same workflow, labelled DRILL, kept out of the register and counters."
    )
    drill_alerts = models.BooleanField(default=False, help_text="A drill whose deadlines send reminders too.")
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="A drill an admin deleted: hidden everywhere, its audit chain kept.")
    incident_type = models.ForeignKey(
        "incidents.IncidentType", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents",
        help_text="Chooses the emergency-plan checklist.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-aware_at", "-id"]
        permissions = [
            ("contain_incident", "Can mark an incident contained"),
            ("assess_incident", "Can mark an incident assessed"),
            ("notify_regulators_incident", "Can record that regulators were notified"),
            ("notify_users_incident", "Can record that affected people were notified"),
            ("close_incident", "Can close an incident"),
            ("reopen_incident", "Can reopen a closed incident"),
            ("override_risk_incident", "Can override the assessed risk level"),
        ]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    TRANSITIONS = ("contain", "assess", "notify_regulators", "notify_users", "close", "reopen")

    @classmethod
    def transition_permission(cls, name: str) -> str:
        """Return the permission the named transition requires (the same from every source state)."""
        meta = getattr(cls, name)._django_fsm
        return next(iter(meta.transitions.values())).permission

    def can_transition(self, name: str) -> bool:
        """Return whether the named transition leaves the current state (conditions aside)."""
        return getattr(self, name)._django_fsm.has_transition(self.state)

    def unmet_conditions(self, name: str) -> list[str]:
        """Return the human messages of the named transition's conditions that are not met now."""
        transition = getattr(type(self), name)._django_fsm.get_transition(self.state)
        if transition is None:
            return []
        return [condition.describe(self) if condition.describe else str(condition.message)
                for condition in transition.conditions if not condition(self)]

    @property
    def category_labels(self) -> list[str]:
        return [categories.BY_CODE[code].label for code in self.data_categories if code in categories.BY_CODE]

    def affected_counts(self) -> dict[str, int]:
        """Return {jurisdiction: count}, the larger of the declared estimate and the people identified."""
        return {row.jurisdiction: row.count for row in self.affected.all()}

    def pending_obligations(self, *, audience: str):
        return self.obligations.filter(
            applies=True, audience=audience, status__in=Obligation.UNFINISHED
        ).exclude(clock_started_at=None)

    @transition(field=state, source=IncidentState.DETECTED, target=IncidentState.CONTAINED,
                conditions=[_has_containment_summary, _checklist_settled], permission="incidents.contain_incident")
    def contain(self) -> None:
        """Record that the spread was stopped."""

    @transition(field=state, source=IncidentState.CONTAINED, target=IncidentState.ASSESSED,
                conditions=[_risk_assessed], permission="incidents.assess_incident")
    def assess(self) -> None:
        """Record that the risk to people was assessed; notices may be sent from now on."""

    @transition(field=state, source=IncidentState.ASSESSED, target=IncidentState.REGULATORS_NOTIFIED,
                conditions=[_regulator_obligations_done], permission="incidents.notify_regulators_incident")
    def notify_regulators(self) -> None:
        """Record that every regulator owed a notice so far has it."""

    @transition(field=state, source=IncidentState.REGULATORS_NOTIFIED, target=IncidentState.USERS_NOTIFIED,
                conditions=[_individual_obligations_done], permission="incidents.notify_users_incident")
    def notify_users(self) -> None:
        """Record that every affected person owed a notice so far has it."""

    @transition(field=state, source=[IncidentState.ASSESSED, IncidentState.USERS_NOTIFIED],
                target=IncidentState.CLOSED,
                conditions=[_closure_reason_when_not_notifying, _all_obligations_done],
                permission="incidents.close_incident")
    def close(self) -> None:
        """Close the incident; from ``assessed`` only with the reason no notification is owed."""

    @transition(field=state, source=IncidentState.CLOSED, target=IncidentState.ASSESSED,
                conditions=[_has_reopen_reason], permission="incidents.reopen_incident")
    def reopen(self) -> None:
        """Take a closed incident back to assessed because new facts emerged."""


class IncidentType(models.Model):
    """A kind of incident with its emergency-plan checklist (admin-editable)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateItem(models.Model):
    """One step of an incident type's emergency plan."""

    incident_type = models.ForeignKey(IncidentType, on_delete=models.CASCADE, related_name="template_items")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["incident_type", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class ChecklistItem(models.Model):
    """One step of one incident's emergency plan: done (when, by whom) or waived (why)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="checklist_items")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    waiver_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["incident", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def settled(self) -> bool:
        return self.done_at is not None or bool(self.waiver_reason)


class AffectedPopulation(models.Model):
    """People affected in one jurisdiction: the responders' estimate and those actually identified."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="affected")
    jurisdiction = models.CharField(max_length=10, help_text="ISO 3166-1 alpha-2, or ISO 3166-2 for US states.")
    declared_count = models.PositiveIntegerField(default=0, validators=[MinValueValidator(0)])
    identified_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["jurisdiction"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "jurisdiction"], name="one_population_per_jurisdiction")
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction}: {self.count}"

    @property
    def count(self) -> int:
        return max(self.declared_count, self.identified_count)


class RiskAssessment(models.Model):
    """The ENISA severity assessment of an incident; completing it lets the incident be assessed."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="risk_assessment")
    ease_of_identification = models.CharField(max_length=20, blank=True)
    confidentiality = models.CharField(max_length=20, blank=True)
    integrity = models.CharField(max_length=20, blank=True)
    availability = models.CharField(max_length=20, blank=True)
    volume = models.CharField(max_length=20, default="normal")
    malicious = models.BooleanField(default=False)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    computed_level = models.CharField(max_length=20, blank=True)
    risk_override = models.CharField(max_length=20, blank=True)
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.incident.ref}: {self.level or 'incomplete'}"

    @property
    def level(self) -> str:
        return self.risk_override or self.computed_level


class ObligationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    EXEMPTED = "exempted", _("Exempted")
    OVERDUE = "overdue", _("Overdue")


class Obligation(models.Model):
    """One legal duty to notify one audience in one jurisdiction, with its deadline."""

    UNFINISHED = (ObligationStatus.OPEN, ObligationStatus.OVERDUE)

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="obligations")
    jurisdiction = models.CharField(max_length=20, help_text="Rule code: EU, US-CA, CN-CAC, ...")
    audience = models.CharField(max_length=40, choices=Audience.choices)
    authority = models.CharField(max_length=300, blank=True)
    clock_start = models.CharField(max_length=40)
    clock_started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    timing = models.CharField(max_length=300, blank=True, help_text="The law's own words for the deadline.")
    basis = models.CharField(max_length=300, help_text="Statute and article.")
    rule_status = models.CharField(max_length=20, help_text="confirmed, secondary or unconfirmed.")
    content = models.JSONField(default=list, blank=True, help_text="Required content element codes.")
    reason = models.TextField(blank=True, help_text="Which facts and which rule clause decided it.")
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=ObligationStatus.choices, default=ObligationStatus.OPEN)
    status_reason = models.TextField(blank=True, help_text="Exemption reason, or the reason for a late notice.")
    met_at = models.DateTimeField(null=True, blank=True)
    met_reference = models.CharField(
        max_length=200, blank=True, help_text="The authority's reference number, or where the evidence is."
    )
    applies = models.BooleanField(default=True, help_text="False once the facts no longer call for it.")
    clock_fact = models.CharField(max_length=40, blank=True, help_text="The incident fact that started the clock.")
    clock_asserted_by = models.CharField(max_length=150, blank=True)
    clock_asserted_at = models.DateTimeField(null=True, blank=True)
    law_enforcement_delay_allowed = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_at", "jurisdiction", "audience"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "jurisdiction", "audience", "authority"], name="one_obligation_per_duty"
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"], condition=Q(status="open"), name="open_by_due")]

    def __str__(self) -> str:
        return f"{self.incident.ref} {self.jurisdiction} {self.audience}"


class ObligationDueChange(models.Model):
    """The clock ledger: every change of an obligation's due time, with the reason."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="due_changes")
    previous_due_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField()
    actor_name = models.CharField(max_length=150)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.obligation}: {self.previous_due_at} -> {self.due_at}"


class LawEnforcementDelay(models.Model):
    """A documented request by law enforcement to delay notice; pauses only clocks whose law allows it."""

    class Form(models.TextChoices):
        WRITTEN = "written", _("Written statement")
        ORAL = "oral", _("Oral statement (documented)")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="law_enforcement_delays")
    agency = models.CharField(max_length=200)
    official = models.CharField(max_length=200, blank=True)
    form = models.CharField(max_length=20, choices=Form.choices)
    statement = models.TextField(help_text="What the agency asked for and why, as documented.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(help_text="End of the requested delay (an oral request lasts at most 30 days).")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The lawyer who confirmed the delay; until then no deadline moves.",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        permissions = [("confirm_lawenforcementdelay", "Can confirm a law-enforcement delay (moves deadlines)")]

    def __str__(self) -> str:
        return f"{self.agency}: {self.starts_at:%Y-%m-%d} to {self.ends_at:%Y-%m-%d}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


# SMS providers a route may name: Tencent Cloud SMS, Alibaba Cloud SMS (both send registered
# templates only) and Twilio (free text).
SMS_PROVIDERS = ("sms_tencent", "sms_aliyun", "sms_twilio")


def default_reminder_minutes() -> list[int]:
    return [24 * 60, 6 * 60, 60]


def default_short_clock_reminder_minutes() -> list[int]:
    return [120, 60, 15]


class OrganisationProfile(models.Model):
    """The organisation's own facts, used by the planner and in every notice. One row."""

    legal_name = models.CharField(max_length=200)
    dpo_name = models.CharField("data protection officer / contact point", max_length=200)
    dpo_email = models.EmailField()
    dpo_phone = models.CharField(max_length=40, blank=True)
    dpo_address = models.TextField(blank=True)
    website = models.URLField(blank=True)
    eu_main_establishment = models.CharField(
        max_length=2, blank=True, help_text="ISO code of the EU main establishment; blank when there is none."
    )
    regimes = models.JSONField(default=list, blank=True, help_text="US-SEC, US-HIPAA, US-NYDFS, US-GLBA-FTC, CN-CII")
    contact_retention_days = models.PositiveIntegerField(
        default=90, help_text="Days after an incident is closed before its people's contact details are erased.")
    default_role = models.CharField(max_length=20, choices=Role.choices, default=Role.CONTROLLER)
    identity_protection_offer = models.TextField(blank=True)
    identity_protection_months = models.PositiveIntegerField(default=0)
    call_centre_phone = models.CharField(max_length=40, blank=True)
    call_centre_hours = models.CharField(max_length=200, blank=True)
    eu_representative = models.TextField(
        blank=True, help_text="Name and contact of the representative in the Union (GDPR Art. 27).")
    pipl_representative = models.TextField(
        blank=True, help_text="Name and contact of the representative in China (PIPL Art. 53).")
    sending_domains = models.JSONField(
        default=list, blank=True, help_text="The domains the organisation's mail and links come from.")
    email_sender = models.EmailField(blank=True, help_text="The From address of notices sent by e-mail.")
    sms_sender = models.CharField(max_length=40, blank=True, help_text="The sender name or number of SMS notices.")
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="IANA zone for people who have not chosen their own."
    )
    # Empty: every SMS through Twilio. A route to a template-only provider makes approval wait for
    # an approved template there, so an organisation adds it once its templates are registered.
    sms_routes = models.JSONField(
        default=list,
        blank=True,
        help_text='SMS routing table, first match wins, e.g. [{"country": "CN", "prefix": "+861", '
        '"providers": ["sms_tencent", "sms_aliyun", "sms_twilio"]}]; unmatched numbers go through Twilio.',
    )
    reminder_minutes = models.JSONField(
        default=default_reminder_minutes, blank=True,
        help_text="Minutes before a deadline when reminders go out (overdue alerts always do).",
    )
    short_clock_reminder_minutes = models.JSONField(
        default=default_short_clock_reminder_minutes, blank=True,
        help_text="The same for short clocks (a 4-hour CAC duty).",
    )
    short_clock_hours = models.PositiveIntegerField(
        default=12, help_text="A clock this many hours long or shorter uses the short-clock reminders."
    )
    drill_recipients = models.JSONField(
        default=list, blank=True,
        help_text="The only e-mail addresses and phone numbers (E.164) a drill may send to: the team's own.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.legal_name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        problems = [problem for route in self.sms_routes or [] for problem in _route_problems(route)]
        if problems:
            errors["sms_routes"] = problems
        for name, longest in (("reminder_minutes", 30 * 24 * 60), ("short_clock_reminder_minutes", 24 * 60)):
            problem = _reminder_problem(getattr(self, name), longest)
            if problem:
                errors[name] = [problem]
        wrong = [entry for entry in self.drill_recipients or []
                 if not (isinstance(entry, str) and (_E164.match(entry) or "@" in entry))]
        if wrong:
            errors["drill_recipients"] = [f"Not an e-mail address or an E.164 phone number: {wrong!r}."]
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> OrganisationProfile:
        """Return the profile, or an unsaved blank one before an admin has filled it in."""
        return cls.objects.order_by("pk").first() or cls(legal_name="(organisation profile not set)")


class UserPreference(models.Model):
    """A person's own time zone and language; blank means the organisation's zone or the browser's language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    time_zone = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164; deadline reminders also go by SMS.")

    def __str__(self) -> str:
        return f"{self.user}: {self.time_zone or '-'} {self.language or '-'}"


_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def _reminder_problem(minutes, longest: int) -> str:
    """Why a list of reminder times (minutes before a deadline) is unusable, or ""."""
    if not isinstance(minutes, list) or not minutes or len(minutes) > 10:
        return "Give between 1 and 10 reminder times, in minutes before the deadline."
    wrong = [value for value in minutes if isinstance(value, bool) or not isinstance(value, int)
             or not 1 <= value <= longest]
    return f"Each time must be whole minutes from 1 to {longest}: {wrong!r}." if wrong else ""


def _route_problems(route) -> list[str]:
    """Why one entry of the SMS routing table is unusable."""
    if not isinstance(route, dict):
        return [f"A route must be an object with a prefix and providers, not {route!r}."]
    prefix, providers = route.get("prefix", ""), route.get("providers")
    problems = []
    if not (isinstance(prefix, str) and prefix.startswith("+") and prefix[1:].isdigit()):
        problems.append(f"Route prefix {prefix!r} must be + and digits, e.g. +861.")
    if not (isinstance(providers, list) and providers and set(providers) <= set(SMS_PROVIDERS)):
        problems.append(f"Route {prefix}: providers must be some of {', '.join(SMS_PROVIDERS)}, got {providers!r}.")
    return problems
