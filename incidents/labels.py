"""What people read instead of internal codes: audit actions, clock starts, facts, transitions, levels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from incidents.audit import AuditAction
from incidents.models import Audience, Finding, IncidentState, ObligationStatus, PeopleInformed

# The ENISA answers and levels of incidents.rules.risk, as people read them (the rules stay free of Django).
EASE_OF_IDENTIFICATION_CHOICES = [
    ("negligible", _("Negligible: identifying anyone would be very hard")),
    ("limited", _("Limited: identification is possible in specific conditions")),
    ("significant", _("Significant: identification is possible for many people")),
    ("maximum", _("Maximum: the data identify people directly (e.g. full name)")),
]
CONFIDENTIALITY_CHOICES = [
    ("none", _("No evidence of unlawful access or processing")),
    ("limited", _("Disclosed to a known, limited set of recipients")),
    ("untrusted", _("Disclosed to a known recipient whose intentions are unknown or hostile")),
    ("public", _("Disclosed to an unknown number of recipients or made public")),
]
INTEGRITY_CHOICES = [
    ("none", _("Not altered, or altered and recovered before any use")),
    ("recoverable", _("Altered, possibly misused, recoverable")),
    ("unrecoverable", _("Altered, possibly misused, not recoverable")),
]
AVAILABILITY_CHOICES = [
    ("none", _("Recoverable without difficulty")),
    ("temporary", _("Temporarily unavailable")),
    ("permanent", _("Permanently unavailable")),
]
VOLUME_CHOICES = [
    ("normal", _("Normal: few people, or little about each")),
    ("large", _("Large: enough people or data to profile them or to harm many at once")),
]
LEVEL_CHOICES = [("low", _("Low")), ("medium", _("Medium")), ("high", _("High")), ("very_high", _("Very high"))]

ACTIONS = dict(AuditAction.choices)

TRANSITIONS = {
    "contain": _("Contain"),
    "assess": _("Mark assessed"),
    "notify_regulators": _("Regulators notified"),
    "notify_users": _("Users notified"),
    "close": _("Close"),
    "reopen": _("Reopen"),
}

CLOCK_STARTS = {
    "aware": _("when the organisation became aware"),
    "occurred": _("when the breach happened"),
    "determined": _("when a breach was determined"),
    "assessed": _("when the risk was assessed"),
    "materiality_determined": _("when the incident was found material"),
    "individual_notice_sent": _("when individuals were notified"),
    "handling_closed": _("when handling of the incident is closed"),
}

FACTS = {
    "title": _("Title"),
    "description": _("Description"),
    "systems_affected": _("Systems affected"),
    "occurred_at": _("When it happened"),
    "aware_at": _("When you became aware"),
    "determined_at": _("When a breach was determined"),
    "materiality_determined_at": _("When the incident was found material"),
    "individual_notice_sent_at": _("When individuals were notified"),
    "affected": _("Affected people"),
    "data_categories": _("Data involved"),
    "encrypted": _("Encrypted at rest"),
    "encrypted_in_transit": _("Encrypted in transit"),
    "key_compromised": _("Key compromised"),
    "redacted": _("Redacted or truncated"),
    "role": _("Role"),
    "containment_summary": _("Containment summary"),
    "cause": _("Cause"),
    "discovery": _("How it was discovered"),
    "discovered_at": _("When it was discovered"),
    "exposure_started_at": _("Data exposed from"),
    "exposure_ended_at": _("Data exposed until"),
    "access_status": _("Access to the data by someone unauthorised"),
    "exfiltration_status": _("Data copied out (exfiltration)"),
    "secrets_protection": _("How passwords or other secrets were protected"),
    "records_count": _("Number of records"),
    "measures": _("Measures taken, each with its time"),
    "measures_planned": _("Measures planned"),
    "people_informed": _("Telling the affected people"),
    "people_informed_at": _("When they will be told"),
    "people_informed_reason": _("Why they will not be told"),
    "development": _("How the incident may develop"),
    "attacker_leads": _("Leads on the attacker and the attack path"),
    "evidence_preservation": _("How the scene and evidence are preserved"),
    "support_requested": _("Further measures planned and support requested"),
    "handling_closed_at": _("When handling of the incident ended"),
    "accountability": _("Accountability"),
    "rectification": _("Rectification"),
    "lessons": _("Lessons learned"),
}
# Facts whose values are codes: shown by their labels in the audit trail.
FACT_CHOICES = {
    "access_status": dict(Finding.choices),
    "exfiltration_status": dict(Finding.choices),
    "people_informed": dict(PeopleInformed.choices),
}

# The rules engine's trace: the steps that decide a duty, their outcomes, and the facts they matched.
TRACE_STEPS = {
    "version": _("Version in force"),
    "role": _("Role"),
    "regime": _("Declared regimes"),
    "after_duty": _("Earlier duty"),
    "safe_harbour": _("Safe harbour"),
    "threshold": _("Head-count threshold"),
    "risk": _("Risk"),
    "malicious": _("Malicious intent"),
    "categories": _("Data categories"),
    "definition": _("Statutory definition of covered data"),
    "authority": _("Competent authority"),
}
TRACE_OUTCOMES = {
    "passed": _("passed"),
    "failed": _("failed"),
    "applies": _("applies: lifts the duty"),
    "does_not_apply": _("does not apply"),
}
TRACE_FACTS = {
    "role": _("Role"),
    "regimes": _("Declared regimes"),
    "affected_count": _("People counted"),
    "residence": _("Where they live"),
    "risk": _("Risk"),
    "malicious": _("Malicious"),
    "data_categories": _("Data involved"),
    "encrypted": _("Encrypted at rest"),
    "key_compromised": _("Key compromised"),
    "redacted": _("Redacted or truncated"),
    "no_harm_determination": _("No-harm determination"),
}
REASON_CODES = {
    "not_in_force": _("not in force on the clock-start day"),
    "role": _("binds another role"),
    "regime": _("regime not declared"),
    "follows_other_duty": _("follows a duty that does not apply"),
    "safe_harbour": _("lifted by a safe harbour"),
    "below_threshold": _("below the head-count threshold"),
    "risk_too_low": _("risk too low"),
    "not_malicious": _("not malicious"),
    "categories_not_covered": _("data not covered"),
}
WHAT_IF_CHANGES = {
    "key_compromised": _("If the encryption key was also compromised"),
    "key_safe": _("If the encryption key was not compromised"),
    "encrypted": _("If the data were encrypted and the key safe"),
    "aware_later": _("If the organisation had become aware a day later"),
}

LEVELS = dict(LEVEL_CHOICES)
STATES = dict(IncidentState.choices)
AUDIENCES = dict(Audience.choices)
OBLIGATION_STATUSES = dict(ObligationStatus.choices)

RULE_STATUSES = {
    "confirmed": _("confirmed"),
    "secondary": _("secondary source"),
    "unconfirmed": _("unconfirmed"),
}


def label(table: dict, code: str) -> str:
    """Return the label of a code, or the code with its underscores as spaces when none is known."""
    return str(table.get(code, code.replace("_", " ")))
