"""Drafting notices from incident facts: the snapshot of facts a notice keeps, and first texts.

The snapshot is taken once, when a notice is drafted, so that every later version
renders the same facts (``notifications.notices.rendering`` turns a version into text).
"""

from __future__ import annotations

from django.utils import translation

from incidents.models import Incident, Obligation, OrganisationProfile
from incidents.services import NOTICE_FACTS
from notifications.notices import element_text, fact_text, reports

INDIVIDUAL_CHANNELS = ["email", "sms", "push", "letter", "announcement"]
ORGANISATION_CHANNELS = ["letter", "email"]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def incident_snapshot(incident: Incident, obligations: list[Obligation]) -> dict:
    """Return the facts a notice's templates use, as JSON, taken once when it is drafted."""
    profile = OrganisationProfile.current()
    counts = incident.affected_counts()
    organisation_keys = ("legal_name", "dpo_name", "dpo_email", "dpo_phone", "dpo_address", "website",
                         "identity_protection_offer", "identity_protection_months", "call_centre_phone",
                         "call_centre_hours", "eu_main_establishment", "eu_representative", "pipl_representative",
                         "sending_domains", "email_sender", "sms_sender")
    report = reports.report_for([o.details.get("rule_code", "") for o in obligations])
    return {
        "report": report.key if report else "",
        **{name: _iso(getattr(incident, name)) if name.endswith("_at") else getattr(incident, name)
           for name in NOTICE_FACTS},
        "individual_notice_sent_at": _iso(incident.individual_notice_sent_at),
        "filings": [
            {"authority": o.authority, "met_at": _iso(o.met_at)}
            for o in incident.obligations.filter(audience="regulator", status="met", met_at__isnull=False)
            .order_by("met_at")
        ],
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


BUILDERS = {**element_text.BUILDERS, **fact_text.BUILDERS}


def draft_elements(*, facts: dict, codes: list[str], languages: list[str]) -> dict[str, dict[str, str]]:
    """Return ``{language: {code: first draft}}``; codes without a builder start empty."""
    drafted = {}
    for language in languages:
        with translation.override(language):
            drafted[language] = {code: BUILDERS[code](facts) if code in BUILDERS else "" for code in codes}
    return drafted
