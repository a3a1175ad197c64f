"""One incident on one time axis: awareness, every deadline, every transition, filing and sending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from incidents import labels, selectors
from incidents.models import Incident

# Audit actions that mark a step in the response (edits and recomputations stay in the audit trail).
STEPS = {
    "incident.created", "incident.contain", "incident.assess", "incident.notify_regulators", "incident.notify_users",
    "incident.close", "incident.reopen", "obligation.met", "obligation.exempted", "notice.approve",
    "notice.sending_started", "notice.sending_completed", "regulator_submission.recorded", "reminder.sent",
}


@dataclass(frozen=True)
class Moment:
    at: datetime
    kind: str  # "fact", "deadline", "step"
    label: str
    detail: str = ""
    actor: str = ""


def incident_timeline(*, user, incident: Incident) -> list[Moment]:
    """Return the incident's moments in time order (deadlines without a fixed time are left out)."""
    moments = [Moment(incident.aware_at, "fact", _("Became aware: every legal clock starts here"))]
    if incident.occurred_at:
        moments.append(Moment(incident.occurred_at, "fact", _("The breach happened")))
    for duty in selectors.incident_obligations(user=user, incident=incident).filter(applies=True):
        what = " · ".join(part for part in (
            duty.jurisdiction, labels.label(labels.AUDIENCES, duty.audience), duty.authority) if part)
        if duty.due_at:
            moments.append(Moment(duty.due_at, "deadline", _("Deadline: %(duty)s") % {"duty": what},
                                  labels.label(labels.OBLIGATION_STATUSES, duty.status)))
    for event in selectors.incident_audit_events(user=user, incident=incident).filter(action__in=STEPS):
        moments.append(Moment(event.created_at, "step", labels.label(labels.ACTIONS, event.action),
                              str(event.payload.get("reason") or event.payload.get("jurisdiction") or ""),
                              event.actor_name))
    return sorted(moments, key=lambda moment: moment.at)
