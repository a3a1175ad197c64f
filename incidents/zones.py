"""Time-zone names people may choose, and wall-clock times that name exactly one instant."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from functools import cache


@cache
def zone_names() -> tuple[str, ...]:
    """Return every IANA zone name this machine knows, sorted, UTC first."""
    names = sorted(name for name in zoneinfo.available_timezones() if "/" in name and not name.startswith("Etc/"))
    return ("UTC", *names)


def is_known_zone(name: str) -> bool:
    return name in zone_names()


class LocalTimeError(ValueError):
    """A wall-clock time that names no single instant in its zone (a daylight-saving gap or overlap)."""


def local_to_aware(moment: datetime, zone_name: str) -> datetime:
    """Return the instant a naive wall-clock ``moment`` names in ``zone_name``.

    Raises LocalTimeError when the clock skips that time (spring forward) or shows it twice (fall back):
    guessing would move a legal clock by an hour.
    """
    zone = zoneinfo.ZoneInfo(zone_name)
    first, second = moment.replace(tzinfo=zone, fold=0), moment.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        raise LocalTimeError("skipped" if round_trip != moment else "repeated")
    return first
