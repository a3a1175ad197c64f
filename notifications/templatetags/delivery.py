"""Labels for delivery codes in the pages: a channel is shown by its translated name, never its code."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

CHANNEL_LABELS = {
    "email": _("E-mail"), "sms": _("SMS"), "push": _("Push notification"),
    "letter": _("Printed letter"), "post": _("Printed letter"), "substitute": _("Substitute notice"),
    "announcement": _("Announcement"),
}


@register.filter
def channel_label(code: str) -> str:
    return str(CHANNEL_LABELS.get(code, code))
