"""How long is left before a deadline, in words, and how urgent it is. Pure: no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

AMBER = timedelta(hours=24)
RED = timedelta(hours=6)


@dataclass(frozen=True)
class Countdown:
    level: str  # "overdue", "red", "amber", "later" or "none"
    icon: str
    label: str  # says the urgency in words, so colour is never the only signal
    text: str  # "3 h 12 min left", "overdue by 40 min"


def duration_text(span: timedelta) -> str:
    """Return "2 d 5 h", "3 h 12 min" or "40 min" (whole minutes, rounded down; "0 min" under a minute)."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def countdown(due_at: datetime | None, *, now: datetime) -> Countdown:
    """Return the countdown to ``due_at``: overdue, red under 6 hours, amber under 24 hours, later."""
    if due_at is None:
        return Countdown("none", "", _("No fixed deadline"), _("no fixed deadline"))
    left = due_at - now
    if left <= timedelta(0):
        return Countdown("overdue", "⛔", _("Overdue"), _("overdue by %(time)s") % {"time": duration_text(-left)})
    text = _("%(time)s left") % {"time": duration_text(left)}
    if left < RED:
        return Countdown("red", "⚠", _("Due within 6 hours"), text)
    if left < AMBER:
        return Countdown("amber", "⏰", _("Due within 24 hours"), text)
    return Countdown("later", "", _("Later"), text)
