"""Pages of delivery: the personal notice page ``/n/<token>/`` (no login), a notice's sending page
with its preflight and progress bars, and the development outbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from incidents.actors import require_permission
from incidents.errors import Conflict, error_message
from notifications.channels.base import outbox_channels
from notifications.channels.outbox import outbox_messages, outbox_path
from notifications.delivery import announcements, evidence, preflight, sending
from notifications.delivery.personal_page import (
    notice_language,
    notice_version_for,
    recipient_by_token,
    recipient_mark_read,
)
from notifications.delivery.plan import DEFAULT_KEY
from notifications.models import NoticeAnnouncement, NoticeStatus
from notifications.notices import services as notice_services
from notifications.notices.rendering import render_message
from notifications.notices.selectors import notice_get


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


def _delivery_context(notice) -> dict:
    return {"notice": notice, "progress": evidence.notice_progress(notice=notice),
            "polling": notice.status == NoticeStatus.SENDING}


@login_required
def notice_delivery(request, pk: int):
    """The notice's sending page: before sending, the channel plan with each channel's preflight and a
    confirmation (skipping a channel that cannot send is an explicit choice, recorded); while and
    after sending, a progress bar per channel, the reach summary and the evidence downloads."""
    notice = notice_get(user=request.user, pk=pk)
    require_permission(request.user, "notifications.view_delivery")
    if request.method == "POST":
        try:
            sending.notice_send(actor=request.user, notice=notice, force_skip=request.POST.getlist("skip"))
        except (Conflict, PermissionDenied, ValidationError) as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(request, _("Sending started: the bars below follow every message."))
            return redirect("notifications:notice-delivery", pk=pk)
        notice.refresh_from_db()
    context = _delivery_context(notice)
    if notice.status == NoticeStatus.APPROVED:
        plan = sending.notice_channel_plan(notice=notice)
        context["plan"] = [part for code, part in sorted(plan.plans.items()) if code != DEFAULT_KEY]
        context["preflight"] = preflight.notice_preflight(incident_id=notice.incident_id, plan=plan)
    elif notice.status in (NoticeStatus.SENDING, NoticeStatus.SENT):
        context["reach"] = evidence.notice_reach(notice=notice)
        context["duties"] = notice.obligations.filter(audience="individuals").order_by("jurisdiction")
        context["announcement"] = NoticeAnnouncement.objects.filter(notice=notice).first()
    return render(request, "deliveries/notice_delivery.html", context)


@login_required
@require_POST
def notice_approve_and_send(request, pk: int):
    """Legal approves a notice to individuals and starts sending it in one step (the small case).

    The approval stands on its own: when the channel check refuses the send, the notice stays approved and
    the sending page shows why, with its plan and the choice to skip a channel.
    """
    notice = notice_get(user=request.user, pk=pk)
    try:
        require_permission(request.user, sending.SEND_PERMISSION)
        notice = notice_services.notice_transition(actor=request.user, notice=notice, name="approve")
    except (Conflict, PermissionDenied, ValidationError) as exc:
        messages.error(request, error_message(exc))
        return redirect("notifications:notice-editor", pk=pk)
    try:
        sending.notice_send(actor=request.user, notice=notice)
    except (Conflict, PermissionDenied, ValidationError) as exc:
        messages.error(request, _("Notice %(id)s approved but not sent: %(reason)s") % {
            "id": notice.pk, "reason": error_message(exc)})
    else:
        messages.success(request, _("Notice %(id)s approved and sending started: the bars below follow every "
                                    "message.") % {"id": notice.pk})
    return redirect("notifications:notice-delivery", pk=pk)


@login_required
def notice_delivery_progress(request, pk: int):
    """The progress bars alone: the fragment the sending page polls while the notice is sending."""
    notice = notice_get(user=request.user, pk=pk)
    require_permission(request.user, "notifications.view_delivery")
    return render(request, "deliveries/_progress.html", _delivery_context(notice))


@login_required
def dev_outbox(request):
    """Every message the development outbox kept, newest first (DEBUG on, staff only)."""
    if not settings.DEBUG:
        raise Http404
    if not request.user.is_staff:
        raise PermissionDenied
    page = Paginator(outbox_messages(), 50).get_page(request.GET.get("page"))
    return render(request, "deliveries/dev_outbox.html", {
        "page": page, "channels": outbox_channels(), "path": outbox_path(),
    })


@login_required
@require_POST
def notice_announcement_change(request, pk: int, action: str):
    """Publish (``publish``) or withdraw (``withdraw``) the notice's announcement page from its sending page."""
    notice = notice_get(user=request.user, pk=pk)
    change = {"publish": announcements.notice_announcement_publish,
              "withdraw": announcements.notice_announcement_withdraw}.get(action)
    if change is None:
        raise Http404
    try:
        change(actor=request.user, notice=notice, reason=request.POST.get("reason", ""))
    except (Conflict, PermissionDenied, ValidationError) as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, _("Announcement published.") if action == "publish" else _("Announcement withdrawn."))
    return redirect(reverse("notifications:notice-delivery", args=[pk]) + "#announcement")
