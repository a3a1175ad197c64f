"""Filters that show times in the viewer's zone beside UTC, and labels instead of codes."""

from __future__ import annotations

from datetime import UTC, datetime

from django import template
from django.utils import dateformat, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext as _

from incidents import labels
from incidents.form_fields import category_label, jurisdiction_label
from incidents.rules import categories

register = template.Library()


def _day_format() -> str:
    """Chinese reads year, month, day; English as in "6 Dec 2026" (never 06/12, which reads two ways)."""
    return "Y年n月j日" if (translation.get_language() or "").startswith("zh") else "j M Y"


def _utc_part(moment: datetime, local: datetime) -> str:
    utc = moment.astimezone(UTC)
    return dateformat.format(utc, "H:i" if utc.date() == local.date() else f"{_day_format()} H:i") + " UTC"


def zoned_text(moment: datetime, zone=None) -> str:
    """Return "6 Dec 2026 09:30 CET = 08:30 UTC" in ``zone`` or the active zone (once when that is UTC)."""
    local = timezone.localtime(moment, zone)
    shown = dateformat.format(local, f"{_day_format()} H:i T")
    if local.utcoffset() == moment.astimezone(UTC).utcoffset() and local.tzname() in ("UTC", "Z"):
        return shown
    return f"{shown} = {_utc_part(moment, local)}"


@register.filter
def zoned(moment: datetime | None, empty: str = "—"):
    """Render a <time> with the value in the viewer's zone and in UTC."""
    if moment is None:
        return empty
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return format_html('<time datetime="{}">{}</time>', stamp, zoned_text(moment))


@register.filter
def action_label(code: str) -> str:
    return labels.label(labels.ACTIONS, code)


@register.filter
def transition_label(code: str) -> str:
    return labels.label(labels.TRANSITIONS, code)


@register.filter
def clock_start_label(code: str) -> str:
    return labels.label(labels.CLOCK_STARTS, code)


@register.filter
def fact_label(code: str) -> str:
    return labels.label(labels.FACTS, code)


@register.filter
def level_label(code: str) -> str:
    return labels.label(labels.LEVELS, code) if code else ""


@register.filter
def rule_status_label(code: str) -> str:
    return labels.label(labels.RULE_STATUSES, code)


@register.filter
def category(code: str) -> str:
    return category_label(code)


@register.filter
def jurisdiction(code: str) -> str:
    return jurisdiction_label(code)


def _item(value) -> str:
    """One item of a listed fact: a data category by its label, a measure as its time and what was done."""
    if isinstance(value, dict):
        return f"{_value(value.get('at'))}: {value.get('text', '')}"
    return category_label(value) if value in categories.BY_CODE else str(value)


def _value(value) -> str:
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None and parsed.tzinfo is not None:
            return zoned_text(parsed)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(_item(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key} {count}" for key, count in value.items()) or "—"
    return "—" if value in (None, "") else str(value)


@register.filter
def audit_detail(event) -> str:
    """Say which object an audit event concerns and what was typed (reason, summary, before → after)."""
    payload = event.payload or {}
    parts: list[str] = []
    if "obligation" in payload:
        parts.append(_("obligation #%(id)s (%(jurisdiction)s, %(audience)s)") % {
            "id": payload["obligation"], "jurisdiction": payload.get("jurisdiction", ""),
            "audience": labels.label(labels.AUDIENCES, payload.get("audience", ""))})
    if "notice" in payload:
        parts.append(_("notice #%(id)s") % {"id": payload["notice"]})
    if "submission" in payload:
        parts.append(_("submission #%(id)s to %(authority)s") % {
            "id": payload["submission"], "authority": payload.get("authority", "")})
    for channel, why in (payload.get("skipped_channels") or {}).items():
        parts.append(_("sent without %(channel)s: %(reason)s") % {"channel": channel, "reason": why})
    for name, (before, after) in (payload.get("changes") or {}).items():
        if name in labels.FACT_CHOICES:
            choices = labels.FACT_CHOICES[name]
            before, after = choices.get(before, before), choices.get(after, after)
        parts.append(f"{labels.label(labels.FACTS, name)}: {_value(before)} → {_value(after)}")
    if event.action == "risk.assessed":
        level = payload.get("risk_override") or (payload.get("severity") or {}).get("level", "")
        parts.append(_("level: %(level)s") % {"level": labels.label(labels.LEVELS, level)})
    if event.action == "incident.law_enforcement_delay":
        parts.append(f"{payload.get('agency', '')}: {_value(payload.get('starts_at'))} – {_value(payload.get('ends_at'))}")
    if payload.get("reference"):
        parts.append(_("reference: %(ref)s") % {"ref": payload["reference"]})
    for key in ("reason", "summary", "comment", "override_reason"):
        if payload.get(key):
            parts.append(f"“{payload[key]}”")
    return "; ".join(parts)


@register.filter
def state_label(code: str) -> str:
    """Label an incident state or an obligation status (audit events carry either)."""
    return labels.label({**labels.OBLIGATION_STATUSES, **labels.STATES}, code) if code else ""


@register.filter
def audience_label(code: str) -> str:
    return labels.label(labels.AUDIENCES, code)


@register.filter
def zoned_iso(value: str | None, empty: str = "—"):
    """Render an ISO 8601 time from the planner's JSON like ``zoned``."""
    return zoned(parse_datetime(value) if value else None, empty)


@register.filter
def trace_step(code: str) -> str:
    return labels.label(labels.TRACE_STEPS, code)


@register.filter
def trace_outcome(code: str) -> str:
    return labels.label(labels.TRACE_OUTCOMES, code)


@register.filter
def reason_label(code: str) -> str:
    return labels.label(labels.REASON_CODES, code) if code else ""


@register.filter
def trace_facts(facts: dict) -> str:
    """Say which facts a decision matched, each with its label: "Role: controller; Data involved: Name, SSN"."""
    parts = []
    for key, value in (facts or {}).items():
        if key == "risk":
            shown = labels.label(labels.LEVELS, value)
        elif key == "residence":
            shown = f"{jurisdiction_label(value)} ({value})"
        elif key == "no_harm_determination":
            shown = f"{value['by']}, {_value(value['at'])}: “{value['reason']}”"
        elif key == "affected_count":
            shown = f"{value:,}"
        else:
            shown = _value(value)
        parts.append(f"{labels.label(labels.TRACE_FACTS, key)}: {shown}")
    return "; ".join(parts) or "—"


@register.filter
def what_if_text(change: dict) -> str:
    """Say in the reader's language which one fact the what-if changed."""
    code = change["change"]
    if code == "affected":
        return _("If %(count)s people lived in %(place)s instead of %(was)s (%(rule)s threshold: %(op)s %(boundary)s)") % {
            "count": f"{change['count']:,}", "place": jurisdiction_label(change["residence"]),
            "was": f"{change['was']:,}", "rule": change["rule"], "op": change["op"],
            "boundary": f"{change['boundary']:,}"}
    if code in ("risk_up", "risk_down"):
        return _("If the risk were %(level)s instead of %(was)s") % {
            "level": labels.label(labels.LEVELS, change["level"]), "was": labels.label(labels.LEVELS, change["was"])}
    if code == "category_added":
        return _("If %(category)s were also involved") % {"category": category_label(change["category"])}
    if code == "category_removed":
        return _("If %(category)s were not involved") % {"category": category_label(change["category"])}
    return str(labels.label(labels.WHAT_IF_CHANGES, code))
