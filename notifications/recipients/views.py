"""The import page for staff: upload a file of affected people and see the counts per jurisdiction."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from incidents import selectors
from incidents.errors import Conflict, error_message
from notifications.recipients.importing import recipients_import_upload
from notifications.recipients.reading import ImportFormatError
from notifications.recipients.selectors import (
    people_count,
    population_counts,
    recipients_page,
    recipients_visible,
)

REJECTS_SHOWN = 500


def _rejects_lines(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))[1 : REJECTS_SHOWN + 1]


@login_required
@require_http_methods(["GET", "POST"])
def recipient_import(request, ref: str):
    """Upload a file of affected people, see the counts per jurisdiction and page through the people."""
    incident = selectors.incident_get(user=request.user, ref=ref)
    people = recipients_visible(user=request.user, incident=incident)
    after = request.GET.get("after", "")
    page, next_after = recipients_page(people, after=min(int(after), 2**62) if after.isdigit() else 0)
    context: dict[str, object] = {"incident": incident, "people": page, "next_after": next_after,
                                  "paged": after.isdigit()}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV or JSON Lines file to upload."))
        else:
            context.update(_import(request, incident, upload))
    context["populations"] = population_counts(incident)
    context["people_count"] = people_count(incident)  # after the import: the page counts who is there now
    return render(request, "recipients/recipient_import.html", context)


def _import(request, incident, upload) -> dict:
    try:
        summary, rejects = recipients_import_upload(actor=request.user, incident=incident, upload=upload, via="web")
    except (ImportFormatError, PermissionDenied, Conflict) as exc:
        messages.error(request, error_message(exc))
        return {}
    messages.success(request, _("%(imported)s imported, %(rejected)s rejected.") % {
        "imported": summary.imported, "rejected": summary.rejected})
    return {"summary": summary.as_dict(), "rejects": _rejects_lines(rejects), "rejects_csv": rejects,
            "rejects_truncated": summary.rejected + summary.kept_with_warnings > REJECTS_SHOWN}
