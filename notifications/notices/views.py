"""Server-rendered pages for notices: the list per incident, the editor with live previews,
legal's approval queue, the diff between versions, and regulator submissions. Thin over the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from incidents import selectors as incident_selectors
from incidents.errors import Conflict, error_message, errors_to_form
from notifications.models import Notice, NoticeStatus, NoticeVersion, RegulatorSubmission
from notifications.notices import checks, people, reader_checks, rendering, services
from notifications.notices.forms import UPLOAD, RegulatorSubmissionForm
from notifications.notices.pdf import notice_pdf
from notifications.notices.requirements import ELEMENT_CODES, element_label
from notifications.notices.selectors import notice_get, notices_draft_nothing_reasons, notices_require_view
from notifications.notices.versions import version_diff


@login_required
def incident_notices(request, ref: str):
    incident = incident_selectors.incident_get(user=request.user, ref=ref)
    notices_require_view(user=request.user)
    notices = incident.notices.order_by("id").prefetch_related("obligations")
    return render(request, "notifications/notice_list.html", {"incident": incident, "notices": notices})


@login_required
@require_POST
def incident_notices_draft(request, ref: str):
    incident = incident_selectors.incident_get(user=request.user, ref=ref)
    try:
        notices = services.notices_draft(actor=request.user, incident=incident)
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, _("%(count)s notice(s) drafted.") % {"count": len(notices)})
        if not notices:
            for reason in notices_draft_nothing_reasons(incident=incident):
                messages.info(request, reason)
    return redirect("notifications:incident-notices", ref=ref)


def _previews(version) -> list[dict]:
    notice = version.notice
    previews = []
    for language in notice.languages:
        reader = rendering.sample_recipient(notice, language)
        for channel in notice.channels:
            message = rendering.render_message(version=version, channel=channel, language=language, recipient=reader)
            previews.append({"channel": channel, "language": language, "message": message})
    return previews


def _editor_rows(version) -> list[dict]:
    return [
        {"code": code, "label": element_label(code),
         "texts": [(language, version.text(language, code)) for language in version.notice.languages]}
        for code in ELEMENT_CODES
        if any(code in (version.elements.get(language) or {}) for language in version.notice.languages)
    ]


FACT_KINDS = {"count": gettext_lazy("Count"), "date": gettext_lazy("Date"), "category": gettext_lazy("Data category"),
              "claim": gettext_lazy("Claim")}


def _facts_rows(table) -> list[dict]:
    if table is None:
        return []
    labels = {"claim": lambda row: _(row.label), "category": lambda row: people.reader_label(row.value)}
    return [{"kind_label": FACT_KINDS[row.kind], "label": labels.get(row.kind, lambda row: row.label)(row),
             "cells": [(f"{channel} · {language}", (channel, language) in row.seen) for channel, language in table.columns]}
            for row in table.rows]


@login_required
def notice_editor(request, pk: int):
    notice = notice_get(user=request.user, pk=pk)
    if request.method == "POST":
        language = request.POST.get("language", "")
        elements = {code: request.POST[code] for code in ELEMENT_CODES if code in request.POST}
        try:
            services.notice_edit(actor=request.user, notice=notice, language=language, elements=elements)
        except (Conflict, PermissionDenied, ValidationError) as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(request, _("Saved as a new version."))
        return redirect("notifications:notice-editor", pk=pk)
    version = notice.current_version
    table = reader_checks.version_facts_table(version) if version is not None else None
    return render(request, "notifications/notice_editor.html", {
        "facts_table": table, "facts_rows": _facts_rows(table),
        "notice": notice, "version": version, "rows": _editor_rows(version),
        "checklist": checks.version_checklist(version), "problems": checks.notice_problems(notice),
        "previews": _previews(version), "versions": notice.versions.order_by("-number").select_related("author"),
        "can_review": request.user.has_perm("notifications.approve_notice"),
        "written": _written_by(notice, request.user),
    })


def _written_by(notice, user) -> list[str]:
    """The elements (label and language) ``user`` wrote since the last approval: four eyes."""
    return [f"{element_label(code)} ({language})" for language, code in notice.authors_since_approval().get(user.pk, [])]


@login_required
@require_POST
def notice_live_preview(request, pk: int):
    """Render unsaved text of one language for one channel: the editor's live preview."""
    notice = notice_get(user=request.user, pk=pk)
    current = notice.current_version
    language = rendering.normalise_language(request.POST.get("language", "en"))
    channel = request.POST.get("channel", "email")
    if channel not in notice.channels or language not in notice.languages:
        return HttpResponse(_("Unknown channel or language."), status=400, content_type="text/plain; charset=utf-8")
    texts = {lang: dict(values) for lang, values in current.elements.items()}
    texts[language].update({code: request.POST[code] for code in ELEMENT_CODES if code in request.POST})
    draft = NoticeVersion(notice=notice, number=current.number + 1, elements=texts, facts=current.facts)
    message = rendering.render_message(
        version=draft, channel=channel, language=language, recipient=rendering.sample_recipient(notice, language))
    body, content_type = (message.html, "text/html") if message.html else (message.text, "text/plain")
    return HttpResponse(body, content_type=f"{content_type}; charset=utf-8")


@login_required
@require_POST
def notice_transition(request, pk: int, name: str):
    notice = notice_get(user=request.user, pk=pk)
    try:
        services.notice_transition(actor=request.user, notice=notice, name=name, comment=request.POST.get("comment", ""))
    except (Conflict, PermissionDenied, ValidationError) as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, _("Notice %(id)s: %(step)s recorded.") % {"id": notice.pk, "step": name})
    return redirect("notifications:notice-editor", pk=pk)


@login_required
def notice_queue(request):
    notices_require_view(user=request.user)
    notices = Notice.objects.filter(status=NoticeStatus.IN_REVIEW).select_related("incident").order_by("id")
    rows = [{"notice": notice, "version": notice.current_version,
             "own": request.user.pk in notice.authors_since_approval()} for notice in notices]
    return render(request, "notifications/notice_queue.html", {"rows": rows})


@login_required
def notice_diff(request, pk: int):
    notice = notice_get(user=request.user, pk=pk)
    latest = notice.current_version.number
    try:
        new = int(request.GET.get("to", latest))
        old = int(request.GET.get("from", max(new - 1, 1)))
    except ValueError:
        new, old = latest, max(latest - 1, 1)
    versions = {v.number: v for v in notice.versions.filter(number__in=[old, new]).select_related("author")}
    if old not in versions or new not in versions:
        messages.error(request, _("No such version."))
        return redirect("notifications:notice-editor", pk=pk)
    diff = version_diff(old=versions[old], new=versions[new])
    return render(request, "notifications/notice_diff.html", {"notice": notice, "diff": diff, "latest": latest})


def _filed_file(form: RegulatorSubmissionForm) -> tuple[str, bytes]:
    """(file name, content) of what was filed: the notice's generated PDF or the upload."""
    data = form.cleaned_data
    if data["attachment"] == UPLOAD:
        return data["file"].name, data["file"].read()
    notice, version = data["notice"], data["notice"].current_version
    language = notice.languages[0] if notice.languages else "en"
    return f"notice-{notice.pk}-v{version.number}-{language}.pdf", notice_pdf(version=version, language=language)


@login_required
def obligation_submissions(request, pk: int):
    """Record a filing with the obligation's authority (the first meets the obligation, later ones
    supplement it) and list those already recorded, with the file each one sent."""
    obligation = incident_selectors.obligation_get(user=request.user, pk=pk)
    notices_require_view(user=request.user)
    answering = obligation.notices.order_by("id")
    form = RegulatorSubmissionForm(request.POST or None, request.FILES or None, notices=answering,
                                   zone=request.zone_name, prefix="submission")
    if request.method == "POST" and form.is_valid():
        file_name, file_content = _filed_file(form)
        data = form.cleaned_data
        try:
            services.regulator_submission_record(
                actor=request.user, obligation=obligation, notice=data["notice"], filed_at=data["filed_at"],
                channel=data["channel"], reference=data["reference"], note=data["note"], reason=data["reason"],
                file_name=file_name, file_content=file_content,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Submission to %(authority)s recorded.") % {"authority": obligation.authority})
            return redirect(reverse("incident-detail", args=[obligation.incident.ref]) + f"#obligation-{pk}")
    return render(request, "notifications/obligation_submissions.html", {
        "obligation": obligation, "incident": obligation.incident, "form": form,
        "submissions": obligation.submissions.select_related("filed_by", "notice").order_by("filed_at", "id"),
    }, status=400 if form.is_bound else 200)


@login_required
def submission_file(request, pk: int):
    """The file a submission sent, as recorded (its SHA-256 is in the audit trail)."""
    notices_require_view(user=request.user)
    submission = get_object_or_404(RegulatorSubmission, pk=pk)
    incident_selectors.obligation_get(user=request.user, pk=submission.obligation_id)
    if not submission.file_name:
        raise Http404
    response = HttpResponse(bytes(submission.file_content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{submission.file_name}"'
    return response
