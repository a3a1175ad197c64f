"""Labels the cockpit's pages show instead of codes."""

from __future__ import annotations

from django import template

from incidents import labels
from notifications.models import NoticeStatus

register = template.Library()


@register.filter
def obligation_status_label(code: str) -> str:
    return labels.label(labels.OBLIGATION_STATUSES, code)


@register.filter
def notice_status_label(code: str) -> str:
    return labels.label(dict(NoticeStatus.choices), code)
