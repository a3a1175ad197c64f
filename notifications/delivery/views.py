"""The personal notice page ``/n/<token>/``: a person's delivered notice, in their language, with no login."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notifications.delivery.personal_page import (
    notice_language,
    notice_version_for,
    recipient_by_token,
    recipient_mark_read,
)
from notifications.notices.rendering import render_message


@never_cache
@require_GET
def personal_notice(request, token: str):
    """Show the person their full notice; the first opening is recorded and audited."""
    recipient = recipient_by_token(token)
    version = notice_version_for(recipient)
    language = notice_language(version, recipient) if version is not None else recipient.language
    with translation.override(language):
        message = None if version is None else render_message(
            version=version, channel="email", language=language, recipient=recipient
        )
        response = render(request, "recipients/personal_notice.html", {
            "recipient": recipient, "message": message, "language": language,
        })
    if version is not None:
        recipient_mark_read(recipient=recipient, version=version)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
