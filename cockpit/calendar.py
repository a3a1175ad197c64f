"""iCalendar feeds of open deadlines: one event per duty, alarms at the reminder thresholds.

Each event's UID is the obligation's, so a calendar updates the same event when a deadline moves;
SEQUENCE is the number of times the clock ledger moved the deadline since it was planned.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from cockpit.models import CalendarFeed
from cockpit.reminders import OVERDUE, reminder_thresholds
from incidents import labels
from incidents.models import Incident, IncidentState, Obligation, OrganisationProfile
from notifications.channels.base import callback_url

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PRODID = "-//Breachline//Deadlines//EN"


def calendar_feed_for(*, user) -> CalendarFeed:
    """Return the person's active feed, making one on first use."""
    feed = CalendarFeed.objects.filter(user=user, revoked_at=None).first()
    return feed or CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32), created_at=_now())


@transaction.atomic
def calendar_feed_revoke(*, user) -> CalendarFeed:
    """Revoke the person's feed address (it answers 404 from now on) and return a new one."""
    CalendarFeed.objects.filter(user=user, revoked_at=None).update(revoked_at=_now())
    return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32), created_at=_now())


def _now() -> datetime:
    return datetime.now(UTC)


def calendar_feed_user(*, token: str):
    """Return the user behind an active feed token; Http404 for an unknown or revoked one."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token, revoked_at=None).first()
    if feed is None or not feed.user.is_active or not feed.user.has_perm("incidents.view_incident"):
        raise Http404("No such calendar.")
    return feed.user


def _open_duties(*, user, incident: Incident | None = None):
    if not user.has_perm("incidents.view_obligation"):
        raise PermissionDenied("You need the permission 'incidents.view_obligation' to see deadlines.")
    duties = (Obligation.objects.filter(applies=True, status__in=Obligation.UNFINISHED, due_at__isnull=False,
                                        incident__deleted_at=None)
              .exclude(incident__state=IncidentState.CLOSED).select_related("incident")
              .annotate(moves=Count("due_changes")).order_by("due_at", "pk"))
    return duties.filter(incident=incident) if incident is not None else duties


class _Moves(TypedDict):
    moves: int


def _event(duty: WithAnnotations[Obligation, _Moves], *, profile: OrganisationProfile, stamp: datetime) -> Event:
    incident = duty.incident
    assert duty.due_at is not None  # only duties with a deadline are in the calendar
    link = callback_url(reverse("incident-detail", args=[incident.ref]))
    audience = labels.label(labels.AUDIENCES, duty.audience)
    summary = _("%(ref)s: %(jurisdiction)s %(audience)s deadline") % {
        "ref": incident.ref, "jurisdiction": duty.jurisdiction, "audience": audience}
    event = Event()
    event.add("uid", f"obligation-{duty.pk}@breachline")
    event.add("dtstamp", stamp)
    event.add("dtstart", duty.due_at.astimezone(UTC))
    event.add("sequence", max(duty.moves - 1, 0))
    event.add("summary", f"[{_('DRILL')}] {summary}" if incident.is_drill else summary)
    event.add("description", "\n".join(part for part in (
        incident.title, duty.authority, _("Basis: %(basis)s") % {"basis": duty.basis}, duty.timing, link) if part))
    event.add("url", link)
    clock = duty.due_at - duty.clock_started_at if duty.clock_started_at else None
    for minutes in reminder_thresholds(clock=clock, profile=profile):
        if minutes == OVERDUE:
            continue
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(minutes=-minutes))
        alarm.add("description", summary)
        event.add_component(alarm)
    return event


def calendar_build(*, user, incident: Incident | None = None) -> bytes:
    """Return the iCalendar text of the open deadlines ``user`` can see (of one incident, when given)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Breachline deadlines") if incident is None else incident.ref)
    profile, stamp = OrganisationProfile.current(), _now()
    for duty in _open_duties(user=user, incident=incident):
        calendar.add_component(_event(duty, profile=profile, stamp=stamp))
    return calendar.to_ical()
