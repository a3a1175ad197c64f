"""Deadline arithmetic over aware datetimes, pure.

1. Hours are elapsed time: add them in UTC. Adding to the wall clock would be an hour
   off across a daylight-saving change. Weekends and holidays do not stop them.
2. Calendar days: the clock-start day (in the rule's zone) is day 0; the deadline is
   23:59:59 on the last day in that zone. No roll-over to a working day.
3. Business days: the clock-start day is day 0; Saturdays, Sundays and the
   jurisdiction's public holidays are skipped; due 23:59:59 on the last business day.
   Days the law is unclear about (Brazil's Carnival, a "ponto facultativo") are
   counted as business days, which gives the earliest deadline, and are reported so
   the caller can warn.
4. After the calendar year: the clock-start day (in the rule's zone) fixes the year;
   the deadline is 23:59:59 on the ``amount``-th day after 31 December of that year
   (HIPAA's annual log: 60 days, so 1 March, or 29 February in a leap year).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

SATURDAY = 5


@dataclass(frozen=True)
class HolidayCalendar:
    """Which days are not business days: a `holidays` country, its categories, and the
    categories whose days are uncertain (counted as business days, reported)."""

    country: str
    categories: tuple[str, ...] = ("public",)
    uncertain_categories: tuple[str, ...] = ()

    def holiday(self, day: date) -> str | None:
        return _holidays(self.country, self.categories).get(day)

    def uncertain(self, day: date) -> str | None:
        if not self.uncertain_categories:
            return None
        return _holidays(self.country, self.uncertain_categories).get(day)


@cache
def _holidays(country: str, categories: tuple[str, ...]) -> holidays.HolidayBase:
    return holidays.country_holidays(country, categories=categories)


@dataclass(frozen=True)
class Due:
    """A computed deadline; ``uncertain_days`` lists (day, name) counted as business days."""

    due_at: datetime
    uncertain_days: list[tuple[date, str]] = field(default_factory=list)
    skipped_days: list[tuple[date, str]] = field(default_factory=list)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("deadline arithmetic needs an aware datetime")


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """Return 23:59:59 on ``day`` in ``zone``, as UTC."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone).astimezone(UTC)


def add_hours(start: datetime, hours: int) -> Due:
    """Return ``start`` plus exactly ``hours`` of elapsed time, in UTC."""
    _require_aware(start)
    return Due(due_at=start.astimezone(UTC) + timedelta(hours=hours))


def add_calendar_days(start: datetime, days: int, zone: ZoneInfo) -> Due:
    """Return the end of the ``days``-th day after the clock-start day in ``zone``."""
    _require_aware(start)
    last_day = start.astimezone(zone).date() + timedelta(days=days)
    return Due(due_at=end_of_day(last_day, zone))


def add_business_days(start: datetime, days: int, zone: ZoneInfo, calendar: HolidayCalendar) -> Due:
    """Return the end of the ``days``-th business day after the clock-start day in ``zone``.

    Skipped weekends are not reported; skipped holidays and uncertain days are.
    """
    _require_aware(start)
    day = start.astimezone(zone).date()
    counted = 0
    uncertain: list[tuple[date, str]] = []
    skipped: list[tuple[date, str]] = []
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() >= SATURDAY:
            continue
        holiday = calendar.holiday(day)
        if holiday:
            skipped.append((day, holiday))
            continue
        doubtful = calendar.uncertain(day)
        if doubtful:
            uncertain.append((day, doubtful))
        counted += 1
    return Due(due_at=end_of_day(day, zone), uncertain_days=uncertain, skipped_days=skipped)


def add_days_after_calendar_year(start: datetime, days: int, zone: ZoneInfo) -> Due:
    """Return the end of the ``days``-th day after 31 December of the clock-start day's year in ``zone``."""
    _require_aware(start)
    year_end = date(start.astimezone(zone).year, 12, 31)
    return Due(due_at=end_of_day(year_end + timedelta(days=days), zone))


def compute_due(
    start: datetime, *, unit: str, amount: int, zone: ZoneInfo, calendar: HolidayCalendar | None = None
) -> Due:
    """Dispatch on the deadline unit: ``hours``, ``calendar_days``, ``business_days`` or ``after_calendar_year``."""
    if unit == "hours":
        return add_hours(start, amount)
    if unit == "calendar_days":
        return add_calendar_days(start, amount, zone)
    if unit == "after_calendar_year":
        return add_days_after_calendar_year(start, amount, zone)
    if unit == "business_days":
        if calendar is None:
            raise ValueError("business days need a holiday calendar")
        return add_business_days(start, amount, zone, calendar)
    raise ValueError(f"no arithmetic for deadline unit {unit!r}")
