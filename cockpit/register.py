"""The breach register (GDPR Art. 33(5)): every real incident, notifiable or not, with what was decided and done.

Drills are never in it. One entry per incident: the facts, the effects, the remedial action, the decisions with
who took them, every duty with its rule trace, status and met time, and the notices sent with the people they
reached. Built from a fixed number of queries whatever the number of incidents.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch, Q

from incidents.audit import AuditEvent
from incidents.models import Incident, Obligation
from notifications.delivery.evidence import neutralise
from notifications.models import Delivery, DeliveryStatus, Notice

# The audit actions that are decisions someone took (and the register names who).
DECISIONS = (
    "risk.assessed", "incident.no_harm_determined", "incident.no_harm_withdrawn", "incident.contain",
    "incident.assess", "incident.close", "incident.reopen", "obligation.met", "obligation.exempted", "notice.approve",
)
REACHED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
CSV_COLUMNS = [
    "ref", "title", "state", "occurred_at", "aware_at", "contained_at", "closed_at", "people_affected",
    "affected", "data_categories", "encrypted", "description", "systems_affected", "risk_level",
    "remedial_action", "notification_owed", "not_notifiable_reason", "decisions", "duties", "notices_sent",
    "people_reached",
]


def register_incidents(*, user):
    """Every incident but drills, newest awareness first, with what the register needs prefetched."""
    if not (user.has_perm("incidents.view_incident") and user.has_perm("incidents.view_auditevent")):
        raise PermissionDenied("The register needs the permissions to see incidents and their audit trail.")
    return (Incident.objects.filter(is_drill=False).select_related("risk_assessment", "no_harm_determined_by")
            .prefetch_related(
                "affected",
                Prefetch("obligations", queryset=Obligation.objects.order_by("due_at", "jurisdiction", "audience")),
                Prefetch("audit_events", queryset=AuditEvent.objects.filter(action__in=DECISIONS).order_by("seq"),
                         to_attr="decisions"),
                Prefetch("notices", queryset=Notice.objects.order_by("pk")))
            .order_by("-aware_at", "-id"))


def _reach(incidents: list[Incident]) -> dict[int, dict[str, Any]]:
    """Per notice: deliveries by status and the people reached (a delivery sent or delivered)."""
    rows = (Delivery.objects.filter(notice__incident__in=incidents).values("notice_id")
            .annotate(deliveries=Count("pk"), reached=Count("recipient", distinct=True, filter=Q(status__in=REACHED))))
    return {row["notice_id"]: row for row in rows}


def _decision(event: AuditEvent) -> dict[str, Any]:
    detail = event.payload.get("reason") or event.payload.get("level") or event.payload.get("jurisdiction") or ""
    return {"decision": event.action, "by": event.actor_name, "at": event.created_at, "detail": str(detail)}


def _duty(duty: Obligation) -> dict[str, Any]:
    return {
        "jurisdiction": duty.jurisdiction, "audience": duty.audience, "authority": duty.authority,
        "basis": duty.basis, "rule_status": duty.rule_status, "applies": duty.applies, "due_at": duty.due_at,
        "timing": duty.timing, "status": duty.status, "met_at": duty.met_at, "reference": duty.met_reference,
        "status_reason": duty.status_reason, "trace": duty.reason,
    }


def register_entry(incident: Incident, reach: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """One incident's register entry, JSON-ready apart from datetimes."""
    assessment = getattr(incident, "risk_assessment", None)
    affected = {row.jurisdiction: row.count for row in incident.affected.all()}
    duties = [_duty(duty) for duty in incident.obligations.all()]
    notices = [{
        "id": notice.pk, "audience": notice.audience, "jurisdictions": notice.jurisdictions, "status": notice.status,
        "deliveries": reach.get(notice.pk, {}).get("deliveries", 0),
        "people_reached": reach.get(notice.pk, {}).get("reached", 0),
    } for notice in incident.notices.all()]
    return {
        "ref": incident.ref, "title": incident.title, "state": incident.state,
        "occurred_at": incident.occurred_at, "aware_at": incident.aware_at,
        "contained_at": incident.contained_at, "closed_at": incident.closed_at,
        "facts": {
            "description": incident.description, "systems_affected": incident.systems_affected,
            "affected": affected, "people_affected": sum(affected.values()),
            "data_categories": list(incident.data_categories), "encrypted": incident.encrypted,
            "key_compromised": incident.key_compromised,
        },
        "effects": {
            "risk_level": assessment.level if assessment else "", "score": str(assessment.score or "") if assessment
            else "", "no_harm_determination": incident.no_harm_reason,
        },
        "remedial_action": incident.containment_summary,
        "notification_owed": any(duty["applies"] for duty in duties),
        "not_notifiable_reason": incident.closure_reason,
        # Prefetched with to_attr by register_incidents; django-stubs cannot see such attributes.
        "decisions": [_decision(event) for event in incident.decisions],  # type: ignore[attr-defined]
        "duties": duties,
        "notices": notices,
        "people_reached": sum(notice["people_reached"] for notice in notices),
    }


def register_entries(incidents: Iterable[Incident]) -> list[dict[str, Any]]:
    incidents = list(incidents)
    reach = _reach(incidents)
    return [register_entry(incident, reach) for incident in incidents]


def register_json(entries: list[dict[str, Any]]) -> str:
    return json.dumps({"register": entries}, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _row(entry: dict[str, Any]) -> list[str]:
    facts = entry["facts"]
    return [
        entry["ref"], entry["title"], entry["state"], _iso(entry["occurred_at"]), _iso(entry["aware_at"]),
        _iso(entry["contained_at"]), _iso(entry["closed_at"]), str(facts["people_affected"]),
        "; ".join(f"{code} {count}" for code, count in facts["affected"].items()), "; ".join(facts["data_categories"]),
        str(facts["encrypted"]).lower(), facts["description"], facts["systems_affected"],
        entry["effects"]["risk_level"], entry["remedial_action"], str(entry["notification_owed"]).lower(),
        entry["not_notifiable_reason"],
        "; ".join(f"{d['decision']} by {d['by']} at {_iso(d['at'])}" + (f": {d['detail']}" if d["detail"] else "")
                  for d in entry["decisions"]),
        "; ".join(f"{d['jurisdiction']} {d['audience']} ({d['basis']}): {d['status']}"
                  + (f" at {_iso(d['met_at'])}" if d["met_at"] else "") for d in entry["duties"] if d["applies"]),
        str(sum(1 for notice in entry["notices"] if notice["status"] == "sent")), str(entry["people_reached"]),
    ]


def register_csv(entries: list[dict[str, Any]]) -> str:
    """The register as CSV, one incident per row; every cell neutralised against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow([neutralise(cell) for cell in _row(entry)])
    return out.getvalue()


def register_export(*, user, incidents=None, file_format: str = "json") -> str:
    """Return the register (all of it, or the filtered ``incidents``) as CSV or JSON text."""
    entries = register_entries(incidents if incidents is not None else register_incidents(user=user))
    return register_csv(entries) if file_format == "csv" else register_json(entries)
