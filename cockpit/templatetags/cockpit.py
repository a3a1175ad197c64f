"""Labels the cockpit's pages show instead of codes."""

from __future__ import annotations

from django import template

from cockpit.forms import small_case_form
from cockpit.small_case import small_case_size
from incidents import labels
from notifications.models import NoticeStatus

register = template.Library()


@register.filter
def obligation_status_label(code: str) -> str:
    return labels.label(labels.OBLIGATION_STATUSES, code)


@register.filter
def notice_status_label(code: str) -> str:
    return labels.label(dict(NoticeStatus.choices), code)


@register.inclusion_tag("dashboard/_small_case.html", takes_context=True)
def small_case_panel(context, incident) -> dict:
    """The small-case form on the incident page, for someone who may import people and draft notices."""
    user = context["request"].user
    size = (small_case_size(incident=incident)
            if user.has_perm("notifications.import_recipients") and user.has_perm("notifications.add_notice")
            else None)
    if size is None:
        return {"form": None}
    return {"incident": incident, "form": small_case_form(incident=incident, size=size),
            "csrf_token": context.get("csrf_token")}
