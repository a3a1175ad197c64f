"""Labels for delivery codes in the pages: a channel is shown by its translated name, never its code."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from notifications.channels.push import PUSH_PROVIDER_LABELS
from notifications.channels.routing import PROVIDER_LABELS

register = template.Library()

CHANNEL_LABELS = {
    "email": _("E-mail"), "sms": _("SMS"), "push": _("Push notification"),
    "letter": _("Printed letter"), "post": _("Printed letter"), "substitute": _("Substitute notice"),
    "announcement": _("Announcement"),
}


@register.filter
def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))


@register.filter
def provider_label(code: str) -> str:
    return str({**PROVIDER_LABELS, **PUSH_PROVIDER_LABELS}.get(code, code))
