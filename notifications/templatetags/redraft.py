"""The incident page's banner when the facts added a duty no notice answers (the incident page knows no notices)."""

from __future__ import annotations

from django import template

from notifications.notices.selectors import notices_redraft

register = template.Library()


@register.inclusion_tag("notifications/_redraft_banner.html", takes_context=True)
def redraft_banner(context, incident):
    return {"incident": incident, "perms": context.get("perms"), "csrf_token": context.get("csrf_token"),
            **notices_redraft(incident=incident)}
