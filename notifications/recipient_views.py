"""Server-rendered pages for affected people: the import page for staff, the personal notice page for people."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from incidents import selectors
from incidents.errors import Conflict
from notifications.drafting import render_message
from notifications.personal_page import (
    notice_language,
    notice_version_for,
    recipient_by_token,
    recipient_mark_read,
)
from notifications.recipients import ImportFormatError, recipients_import_upload
from notifications.recipients_api import population_counts, recipients_visible

REJECTS_SHOWN = 500


def _rejects_lines(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))[1 : REJECTS_SHOWN + 1]


@login_required
@require_http_methods(["GET", "POST"])
def recipient_import(request, ref: str):
    """Upload a file of affected people and see the counts per jurisdiction."""
    incident = selectors.incident_get(user=request.user, ref=ref)
    people = recipients_visible(user=request.user, incident=incident)
    context = {"incident": incident, "people_count": people.count()}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "Choose a CSV or JSON Lines file to upload.")
        else:
            context.update(_import(request, incident, upload))
    context["populations"] = population_counts(incident)
    return render(request, "recipients/recipient_import.html", context)


def _import(request, incident, upload) -> dict:
    try:
        summary, rejects = recipients_import_upload(actor=request.user, incident=incident, upload=upload, via="web")
    except (ImportFormatError, PermissionDenied, Conflict) as exc:
        messages.error(request, str(exc))
        return {}
    messages.success(request, f"{summary.imported} imported, {summary.rejected} rejected.")
    return {"summary": summary.as_dict(), "rejects": _rejects_lines(rejects), "rejects_csv": rejects,
            "rejects_truncated": summary.rejected + summary.kept_with_warnings > REJECTS_SHOWN}


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
