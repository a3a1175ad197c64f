"""The import page for staff: upload a file of affected people, follow its import and see the counts per
jurisdiction."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRefresh

from incidents import selectors
from incidents.errors import Conflict, error_message
from notifications.models import RecipientImport, RecipientImportStatus
from notifications.recipients.jobs import recipient_import_progress, recipient_import_upload
from notifications.recipients.reasons import reason_translated
from notifications.recipients.selectors import (
    people_count,
    population_counts,
    recipient_imports_recent,
    recipients_page,
    recipients_visible,
)

REJECTS_SHOWN = 500


def _rejects_lines(text: str) -> list[list[str]]:
    """The report's first lines, outcome and reasons in the reader's language (the CSV stays in English)."""
    return [[number, external_id, _(outcome), reason_translated(why)]
            for number, external_id, outcome, why in list(csv.reader(io.StringIO(text)))[1 : REJECTS_SHOWN + 1]]


def _people_context(request, incident) -> dict[str, object]:
    people = recipients_visible(user=request.user, incident=incident)
    after = request.GET.get("after", "")
    page, next_after = recipients_page(people, after=min(int(after), 2**62) if after.isdigit() else 0)
    return {"incident": incident, "people": page, "next_after": next_after, "paged": after.isdigit(),
            "populations": population_counts(incident), "people_count": people_count(incident),
            "imports": recipient_imports_recent(incident)}


@login_required
@require_http_methods(["GET", "POST"])
def recipient_import(request, ref: str):
    """Upload a file of affected people, see the counts per jurisdiction and page through the people.

    An upload becomes an import job: the page of the job follows it to its result."""
    incident = selectors.incident_get(user=request.user, ref=ref)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV or JSON Lines file to upload."))
        else:
            try:
                job = recipient_import_upload(actor=request.user, incident=incident, upload=upload)
            except (PermissionDenied, Conflict) as exc:
                messages.error(request, error_message(exc))
            else:
                return redirect("notifications:incident-recipient-import", ref=incident.ref, pk=job.pk)
    return render(request, "recipients/recipient_import.html", _people_context(request, incident))


def _job(request, ref: str, pk: int) -> RecipientImport:
    incident = selectors.incident_get(user=request.user, ref=ref)
    return get_object_or_404(RecipientImport.objects.select_related("incident"), incident=incident, pk=pk)


def _job_context(job: RecipientImport) -> dict[str, object]:
    context: dict[str, object] = {"incident": job.incident, "job": job, "progress": recipient_import_progress(job),
                                  "error": reason_translated(job.error)}
    if job.status == RecipientImportStatus.DONE:
        rejects = job.rejects_csv()
        context.update({"summary": job.summary, "rejects": _rejects_lines(rejects), "rejects_csv": rejects,
                        "rejects_truncated": job.rejected + job.summary["kept_with_warnings"] > REJECTS_SHOWN})
    return context


@login_required
@require_http_methods(["GET"])
def recipient_import_job(request, ref: str, pk: int):
    """The people page with one import job: its progress while it runs, then its result and rejects report."""
    job = _job(request, ref, pk)
    return render(request, "recipients/recipient_import.html", {
        **_people_context(request, job.incident), **_job_context(job)})


@login_required
@require_http_methods(["GET"])
def recipient_import_job_progress(request, ref: str, pk: int):
    """The progress bar alone, which the job's page polls; once the job has ended, htmx reloads the page
    (the counts per jurisdiction and the people list change with the result)."""
    job = _job(request, ref, pk)
    if request.htmx and job.finished:
        return HttpResponseClientRefresh()
    return render(request, "recipients/_import_job.html", _job_context(job))
