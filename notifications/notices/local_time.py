"""Dates in notices: shown in the reader's jurisdiction's time zone, with the zone named."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_datetime

from incidents.rules.loader import load_rules

# Residence codes whose zone differs from the zone of the rule file that covers them
# (the EU file keeps Brussels time for its calendar; a Berliner reads Berlin time).
RESIDENCE_ZONES = {
    "US-CA": "America/Los_Angeles", "US-NY": "America/New_York", "US-TX": "America/Chicago",
    "US-WA": "America/Los_Angeles", "US-IL": "America/Chicago", "US-FL": "America/New_York",
    "CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong", "SG": "Asia/Singapore", "GB": "Europe/London",
    "DE": "Europe/Berlin", "FR": "Europe/Paris", "IE": "Europe/Dublin", "NL": "Europe/Amsterdam",
    "ES": "Europe/Madrid", "IT": "Europe/Rome", "PL": "Europe/Warsaw", "SE": "Europe/Stockholm",
    "BR": "America/Sao_Paulo", "IN": "Asia/Kolkata", "JP": "Asia/Tokyo", "AU": "Australia/Sydney",
    "NO": "Europe/Oslo", "IS": "Atlantic/Reykjavik", "LI": "Europe/Vaduz", "CA-AB": "America/Edmonton",
}


# Chinese names of zones readers know by name (China's one zone is 北京时间 in law and in daily use).
ZONE_NAMES_ZH = {"Asia/Shanghai": "北京时间", "Asia/Singapore": "新加坡时间", "Asia/Hong_Kong": "香港时间"}


MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember")
# Central European (Summer) Time as German readers know it.
ZONE_ABBREVIATIONS_DE = {"CET": "MEZ", "CEST": "MESZ"}


def zone_for(code: str | None) -> ZoneInfo:
    """Return the time zone of a residence code or a rule code; UTC when neither is known."""
    if code in RESIDENCE_ZONES:
        return ZoneInfo(RESIDENCE_ZONES[code])
    rules = load_rules()
    rule = rules.get(code or "") or next(
        (rules.get(rule_code) for rule_code in rules.covering(code or "")), None
    )
    return rule.time_zone if rule is not None else ZoneInfo("UTC")


def text_zone(facts: dict) -> ZoneInfo:
    """The zone of the times written into a notice's texts, the same in every language (so that the facts
    table compares like with like): the one residence an authority serves (the German authority reads
    Berlin time under the EU rule, in the body as in the timeline), else the notice's first jurisdiction."""
    residences = {o.get("residence") for o in facts.get("obligations", []) if o.get("residence")}
    if len(residences) == 1:
        return zone_for(residences.pop())
    return zone_for((facts.get("jurisdictions") or [None])[0])


def _instant(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return parse_datetime(value)


def format_when(value: datetime | str | None, *, zone: ZoneInfo, language: str, date_only: bool = False) -> str:
    """Return e.g. ``27 March 2026, 02:00 PDT (America/Los_Angeles)``, ``2026年3月27日 17:00（北京时间）`` or
    ``27. März 2026, 10:00 Uhr MEZ (Europe/Berlin)``."""
    instant = _instant(value)
    if instant is None:
        return "—"
    local = instant.astimezone(zone)
    if language.startswith("zh"):
        day = f"{local.year}年{local.month}月{local.day}日"
        if date_only:
            return day
        named = ZONE_NAMES_ZH.get(zone.key)
        return f"{day} {local:%H:%M}（{named}）" if named else f"{day} {local:%H:%M}（{zone.key}，{local.tzname()}）"
    if language == "de":
        day = f"{local.day}. {MONTHS_DE[local.month - 1]} {local.year}"
        abbreviation = ZONE_ABBREVIATIONS_DE.get(local.tzname() or "", local.tzname())
        return day if date_only else f"{day}, {local:%H:%M} Uhr {abbreviation} ({zone.key})"
    day = f"{local.day} {local:%B} {local.year}"
    return day if date_only else f"{day}, {local:%H:%M} {local.tzname()} ({zone.key})"
