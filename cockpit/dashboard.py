"""The dashboard's reads: open incidents by nearest deadline, the counters, and each person's own work.

Every read here is a fixed number of queries however many incidents and obligations there are:
the list is one query plus one prefetch, and what blocks each incident's next step is worked out
from the prefetched rows, not asked of the database per incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Min, Prefetch, Q
from django.utils.translation import gettext as _

from cockpit.countdown import Countdown, countdown
from incidents import labels
from incidents.models import Audience, Incident, IncidentState, Obligation
from notifications.models import Delivery, Notice
from notifications.models.delivery import OPEN_STATUSES
from notifications.models.notice import APPROVE_PERMISSION, NoticeStatus

# The step each state waits for; "assessed" may also close, but notifying is what the deadlines ask.
NEXT_STEP = {
    IncidentState.DETECTED: "contain",
    IncidentState.CONTAINED: "assess",
    IncidentState.ASSESSED: "notify_regulators",
    IncidentState.REGULATORS_NOTIFIED: "notify_users",
    IncidentState.USERS_NOTIFIED: "close",
}
_DUTY_AUDIENCE = {"notify_regulators": Audience.REGULATOR, "notify_users": Audience.INDIVIDUALS, "close": None}


@dataclass
class Row:
    incident: Incident
    duty: Obligation | None
    countdown: Countdown
    step: str
    blockers: list[str]


def _require_view(user) -> None:
    if not user.has_perm("incidents.view_incident"):
        raise PermissionDenied("You need the permission 'incidents.view_incident' to see incidents.")


def _open_duties_prefetch() -> Prefetch:
    duties = Obligation.objects.filter(applies=True, status__in=Obligation.UNFINISHED).order_by(
        F("due_at").asc(nulls_last=True), "jurisdiction", "audience")
    return Prefetch("obligations", queryset=duties, to_attr="open_duties")


def dashboard_incidents(*, user):
    """Return incidents (filter them before slicing) by nearest open deadline; those without one last."""
    _require_view(user)
    nearest = Min("obligations__due_at", filter=Q(
        obligations__applies=True, obligations__status__in=Obligation.UNFINISHED))
    return (Incident.objects.filter(deleted_at=None).select_related("owner", "risk_assessment")
            .prefetch_related(_open_duties_prefetch(), "checklist_items")
            .annotate(next_due=nearest).order_by(F("next_due").asc(nulls_last=True), "-aware_at", "-id"))


def _blockers(incident: Incident, step: str) -> list[str]:
    """The unmet conditions of ``step`` in words.

    Containing and assessing read only the incident's own fields (and the joined assessment), so the
    model answers; the duty conditions are read from the prefetched open duties, with the model's own
    message (a duty step's last condition is its duty condition).
    """
    if step not in _DUTY_AUDIENCE:
        return incident.unmet_conditions(step)
    audience = _DUTY_AUDIENCE[step]
    open_duties = incident.open_duties  # type: ignore[attr-defined]  # prefetched with to_attr (dashboard_incidents)
    waiting = [duty for duty in open_duties
               if audience is None or (duty.audience == audience and duty.clock_started_at is not None)]
    if not waiting:
        return []
    message = getattr(Incident, step)._django_fsm.get_transition(incident.state).conditions[-1].message
    return [str(message) + " " + _("Still open: %(duties)s.") % {"duties": ", ".join(
        f"{duty.jurisdiction} {labels.label(labels.AUDIENCES, duty.audience)}" for duty in waiting[:5])
        + (" …" if len(waiting) > 5 else "")}]


def dashboard_rows(incidents, *, now: datetime) -> list[Row]:
    """Return one row per incident: its next due duty with the countdown, and what blocks its next step."""
    rows = []
    for incident in incidents:
        duty = incident.open_duties[0] if incident.open_duties else None
        step = NEXT_STEP.get(incident.state, "")
        rows.append(Row(incident=incident, duty=duty, countdown=countdown(duty.due_at if duty else None, now=now),
                        step=step, blockers=_blockers(incident, step) if step else []))
    return rows


def dashboard_counters(*, user, now: datetime) -> dict[str, int]:
    """Overdue duties, duties due in 24 hours, notices waiting for legal, deliveries in progress; drills left out."""
    _require_view(user)
    live = Q(incident__is_drill=False) & ~Q(incident__state=IncidentState.CLOSED)
    duties = Obligation.objects.filter(live, applies=True, status__in=Obligation.UNFINISHED).aggregate(
        overdue=Count("pk", filter=Q(due_at__lte=now)),
        due_24h=Count("pk", filter=Q(due_at__gt=now, due_at__lte=now + timedelta(hours=24))),
    )
    return {
        **duties,
        "waiting_for_legal": Notice.objects.filter(status=NoticeStatus.IN_REVIEW, incident__is_drill=False).count(),
        "deliveries_in_progress": Delivery.objects.filter(
            status__in=OPEN_STATUSES, notice__incident__is_drill=False).count(),
    }


def my_work(*, user, limit: int = 10) -> dict[str, list]:
    """Legal: the approval queue and the duties waiting on legal. Everyone: the open incidents they own."""
    _require_view(user)
    work: dict[str, list] = {"owned": list(
        Incident.objects.filter(owner=user, deleted_at=None).exclude(state=IncidentState.CLOSED)
        .annotate(next_due=Min("obligations__due_at", filter=Q(
            obligations__applies=True, obligations__status__in=Obligation.UNFINISHED)))
        .order_by(F("next_due").asc(nulls_last=True))[:limit])}
    if user.has_perm(APPROVE_PERMISSION):
        work["approval_queue"] = list(Notice.objects.filter(status=NoticeStatus.IN_REVIEW)
                                      .select_related("incident").order_by("created_at")[:limit])
        work["legal_duties"] = list(
            Obligation.objects.filter(
                applies=True, status__in=Obligation.UNFINISHED, clock_started_at__isnull=False,
                incident__state__in=[IncidentState.ASSESSED, IncidentState.REGULATORS_NOTIFIED,
                                     IncidentState.USERS_NOTIFIED])
            .select_related("incident").order_by(F("due_at").asc(nulls_last=True))[:limit])
    return work
