"""Deadline reminders: an alert before each open obligation falls due, and an escalation when it is overdue.

Beat runs ``reminders_send_due`` every minute. For each open duty it finds the threshold the clock has
just crossed (24 h, 6 h, 1 h before by default; 2 h, 1 h, 15 min for a short clock; 0 when overdue),
claims that (duty, threshold, deadline) by inserting its ``Reminder`` row, and only the process whose
insert succeeded sends it. A deadline moved by new facts gets new rows for the thresholds still ahead
of it when it moved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cockpit.countdown import countdown, duration_text
from cockpit.models import InAppAlert, Reminder
from incidents import labels
from incidents.audit import AuditAction, audit_record
from incidents.models import Incident, IncidentState, Obligation, OrganisationProfile, UserPreference
from incidents.templatetags.breachline import zoned_text
from notifications.channels.base import OutboundMessage, TransportError, callback_url, transport_for

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

logger = logging.getLogger(__name__)

OVERDUE = 0
LEGAL_GROUP, ADMIN_GROUP = "legal", "admin"


def reminder_thresholds(*, clock: timedelta | None, profile: OrganisationProfile) -> list[int]:
    """Return the minutes before the deadline at which to alert, largest first, ending with 0 (overdue).

    A clock no longer than the profile's ``short_clock_hours`` (a 4-hour CAC duty) uses the short list.
    """
    short = clock is not None and clock <= timedelta(hours=profile.short_clock_hours)
    minutes = profile.short_clock_reminder_minutes if short else profile.reminder_minutes
    return sorted({int(value) for value in minutes if int(value) > 0}, reverse=True) + [OVERDUE]


def current_threshold(*, due_at: datetime, now: datetime, thresholds: list[int]) -> int | None:
    """Return the smallest threshold already crossed at ``now``, or None while none is.

    Only the latest crossed threshold is sent: a duty planned 2 hours before its deadline gets the
    6-hour alert at once (saying 2 hours are left) and the 1-hour alert when it comes, not three at once.
    """
    crossed = [minutes for minutes in thresholds if now >= due_at - timedelta(minutes=minutes)]
    return min(crossed) if crossed else None


class _Moved(TypedDict):
    moved_at: datetime | None


def _armed(duty: WithAnnotations[Obligation, _Moved], threshold: int) -> bool:
    """Whether ``threshold`` still needs an alert for the duty's current deadline.

    Sent already for this deadline: no. Never sent: yes. Sent for an earlier deadline: only if the
    threshold was still ahead of the new deadline when it moved (``moved_at``, the ledger's last entry).
    """
    assert duty.due_at is not None  # only duties with a deadline are candidates
    earlier = [row for row in duty.reminders.all() if row.minutes_before == threshold]
    if any(row.due_at == duty.due_at for row in earlier):
        return False
    return not earlier or duty.moved_at is None or duty.due_at - timedelta(minutes=threshold) > duty.moved_at


def _candidates(*, now: datetime, horizon: timedelta):
    return (Obligation.objects
            .filter(applies=True, status__in=Obligation.UNFINISHED, due_at__isnull=False, due_at__lte=now + horizon,
                    incident__deleted_at=None)
            .exclude(incident__state=IncidentState.CLOSED)
            .filter(Q(incident__is_drill=False) | Q(incident__drill_alerts=True))
            .select_related("incident__owner").prefetch_related("reminders")
            .annotate(moved_at=Max("due_changes__changed_at")).order_by("due_at", "pk"))


def _claim(duty: Obligation, threshold: int, now: datetime) -> Reminder | None:
    """Insert the reminder's row; None when another process inserted it first."""
    assert duty.due_at is not None  # only duties with a deadline are candidates
    try:
        with transaction.atomic():
            return Reminder.objects.create(obligation=duty, minutes_before=threshold, due_at=duty.due_at,
                                           claimed_at=now)
    except IntegrityError:
        return None


def reminders_send_due(*, now: datetime) -> int:
    """Send every reminder that is due at ``now``; return how many this process sent.

    1. Open duties of open incidents (drills only when they ask) whose deadline is within the largest
       threshold, or past.
    2. For each, the threshold just crossed, if it is armed (see ``_armed``).
    3. Claim it with its unique row; the loser of a race skips it.
    4. Send it (``reminder_deliver``), outside any transaction.
    """
    profile = OrganisationProfile.current()
    horizon = timedelta(minutes=max([0, *map(int, profile.reminder_minutes),
                                     *map(int, profile.short_clock_reminder_minutes)]))
    sent = 0
    for duty in _candidates(now=now, horizon=horizon):
        clock = duty.due_at - duty.clock_started_at if duty.clock_started_at else None
        threshold = current_threshold(due_at=duty.due_at, now=now,
                                      thresholds=reminder_thresholds(clock=clock, profile=profile))
        if threshold is None or not _armed(duty, threshold):
            continue
        reminder = _claim(duty, threshold, now)
        if reminder is not None:
            reminder_deliver(reminder=reminder, now=now, profile=profile)
            sent += 1
    return sent


def reminder_people(*, incident: Incident, overdue: bool) -> list:
    """The owner and the legal group; the admin group too once the deadline has passed. Active users only."""
    groups = [LEGAL_GROUP, ADMIN_GROUP] if overdue else [LEGAL_GROUP]
    people = get_user_model().objects.filter(Q(groups__name__in=groups) | Q(pk=incident.owner_id), is_active=True)
    return list(people.distinct().order_by("username"))


@dataclass(frozen=True)
class _Message:
    subject: str
    text: str


def _message(*, duty: Obligation, now: datetime, zone: str) -> _Message:
    incident = duty.incident
    assert duty.due_at is not None  # reminders exist only for duties with a deadline
    what = " · ".join(part for part in (
        duty.jurisdiction, labels.label(labels.AUDIENCES, duty.audience), duty.authority) if part)
    left = countdown(duty.due_at, now=now)
    subject = (_("%(ref)s: %(duty)s is overdue") if left.level == "overdue" else
               _("%(ref)s: %(duty)s due in %(time)s")) % {
        "ref": incident.ref, "duty": what, "time": duration_text(duty.due_at - now)}
    if incident.is_drill:
        subject = f"[{_('DRILL')}] {subject}"
    text = "\n".join([
        f"{incident.ref} {incident.title}",
        _("%(duty)s (%(basis)s) is due at %(due)s: %(left)s.") % {
            "duty": what, "basis": duty.basis, "due": zoned_text(duty.due_at, ZoneInfo(zone)), "left": left.text},
        _("Open the incident: %(link)s") % {"link": callback_url(reverse("incident-detail", args=[incident.ref]))},
    ])
    return _Message(subject=subject[:300], text=text)


def _sms_configured() -> bool:
    try:
        transport_for("sms").close()
    except ImproperlyConfigured:
        return False
    return True


def _send(channel: str, message: OutboundMessage) -> str:
    try:
        with transport_for(channel) as transport:
            transport.send(message)
    except (TransportError, ImproperlyConfigured) as exc:
        logger.warning("reminder %s to %s failed: %s", channel, message.to_address, exc)
        return f"failed: {exc}"
    return "sent"


def reminder_deliver(*, reminder: Reminder, now: datetime, profile: OrganisationProfile) -> Reminder:
    """Alert each person by e-mail, SMS when they have a phone and SMS is set up, and in the app; audit it.

    Each person reads it in their own language and zone. A failed channel is recorded in the outcome
    and the audit event (the in-app alert is there whatever happens to the others).
    """
    duty = reminder.obligation
    people = reminder_people(incident=duty.incident, overdue=reminder.minutes_before == OVERDUE)
    preferences = {row.user_id: row for row in UserPreference.objects.filter(user__in=people)}
    sms = _sms_configured()
    outcome: dict[str, dict[str, str]] = {}
    for person in people:
        preference = preferences.get(person.pk)
        with translation.override((preference and preference.language) or settings.LANGUAGE_CODE):
            message = _message(duty=duty, now=now, zone=(preference and preference.time_zone) or profile.time_zone)
        InAppAlert.objects.create(user=person, reminder=reminder, subject=message.subject, text=message.text,
                                  link=reverse("incident-detail", args=[duty.incident.ref]), created_at=now)
        result = {"in_app": "shown"}
        if person.email:
            result["email"] = _send("email", OutboundMessage(
                to_address=person.email, subject=message.subject, text=message.text))
        if sms and preference and preference.phone:
            result["sms"] = _send("sms", OutboundMessage(to_address=preference.phone, text=message.subject))
        outcome[person.username] = result
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=duty.incident_id)
        reminder.sent_at, reminder.outcome = now, outcome
        reminder.save(update_fields=["sent_at", "outcome"])
        audit_record(actor=None, action=AuditAction.REMINDER_SENT, incident=incident, payload={
            "obligation": duty.pk, "jurisdiction": duty.jurisdiction, "audience": duty.audience,
            "minutes_before": reminder.minutes_before, "due_at": duty.due_at, "people": outcome})
    return reminder
