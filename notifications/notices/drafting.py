"""Drafting notices from incident facts: the snapshot of facts a notice keeps, and first texts.

The snapshot is taken once, when a notice is drafted, so that every later version
renders the same facts (``notifications.notices.rendering`` turns a version into text).
"""

from __future__ import annotations

from django.utils import translation

from incidents.models import Incident, Obligation, OrganisationProfile
from notifications.notices import element_text

INDIVIDUAL_CHANNELS = ["email", "sms", "push", "letter", "announcement"]
ORGANISATION_CHANNELS = ["letter", "email"]
LANGUAGES = ("en", "zh-hans")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def incident_snapshot(incident: Incident, obligations: list[Obligation]) -> dict:
    """Return the facts a notice's templates use, as JSON, taken once when it is drafted."""
    profile = OrganisationProfile.current()
    counts = incident.affected_counts()
    organisation_keys = ("legal_name", "dpo_name", "dpo_email", "dpo_phone", "dpo_address", "website",
                         "identity_protection_offer", "identity_protection_months", "call_centre_phone",
                         "call_centre_hours")
    return {
        "audience": obligations[0].audience if obligations else "",
        "ref": incident.ref, "title": incident.title, "description": incident.description,
        "systems_affected": incident.systems_affected, "containment_summary": incident.containment_summary,
        "occurred_at": _iso(incident.occurred_at), "aware_at": _iso(incident.aware_at),
        "contained_at": _iso(incident.contained_at), "assessed_at": _iso(incident.assessed_at),
        "data_categories": list(incident.data_categories), "counts": counts, "total": sum(counts.values()),
        "jurisdictions": sorted({obligation.jurisdiction for obligation in obligations}),
        "organisation": {key: getattr(profile, key) for key in organisation_keys},
        "law_enforcement_delays": [
            {"agency": delay.agency, "starts_at": _iso(delay.starts_at), "ends_at": _iso(delay.ends_at)}
            for delay in incident.law_enforcement_delays.all()
        ],
        "obligations": [
            {"jurisdiction": o.jurisdiction, "authority": o.authority, "basis": o.basis, "due_at": _iso(o.due_at),
             "timing": o.timing, "residence": o.details.get("residence")}
            for o in obligations
        ],
    }


def draft_elements(*, facts: dict, codes: list[str], languages: list[str]) -> dict[str, dict[str, str]]:
    """Return ``{language: {code: first draft}}``; codes without a builder start empty."""
    drafted = {}
    for language in languages:
        with translation.override(language):
            drafted[language] = {
                code: element_text.BUILDERS[code](facts) if code in element_text.BUILDERS else "" for code in codes
            }
    return drafted
