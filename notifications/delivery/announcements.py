"""Substitute notice: publishing a notice as a public announcement page, and serving that page."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from incidents.actors import Actor, require_permission
from incidents.audit import AuditAction, audit_record
from incidents.errors import Conflict
from incidents.models import Incident
from notifications.delivery import evidence
from notifications.models import Notice, NoticeAnnouncement, NoticeStatus
from notifications.notices import rendering

PUBLISH_PERMISSION = "notifications.send_notice"


def notice_announcement_publish(*, actor: Actor, notice: Notice, reason: str = "") -> NoticeAnnouncement:
    """Publish the notice's announcement page; return it (the existing one when already published).

    Allowed once sending has started and some jurisdiction's rule allows substitute
    notice for people no channel reached: when the tool can count the condition as
    met, ``reason`` may be empty; when the condition is a judgement (e.g. GDPR's
    disproportionate effort), ``reason`` must say why. Raises PermissionDenied,
    Conflict or ValidationError.
    """
    require_permission(actor, PUBLISH_PERMISSION, f"You need the permission '{PUBLISH_PERMISSION}' to publish substitute notice.")
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=notice.incident_id)
        existing = NoticeAnnouncement.objects.filter(notice=notice).first()
        if existing is not None:
            return existing
        if notice.status not in (NoticeStatus.SENDING, NoticeStatus.SENT):
            raise Conflict("Substitute notice follows an attempt at individual notice: send the notice first.")
        grounds = _grounds(notice)
        if not grounds:
            raise Conflict("No jurisdiction's rule allows substitute notice for the people this notice missed.")
        if not reason.strip() and not any(met == "yes" for _, met in grounds):
            raise ValidationError({"reason": "Say why the rule's condition is met (it is a judgement)."})
        announcement = NoticeAnnouncement.objects.create(
            notice=notice, slug=secrets.token_urlsafe(24), published_by=actor if actor.pk else None,
            reason=reason.strip() or "; ".join(f"{code}: condition met" for code, met in grounds if met == "yes"),
        )
        audit_record(
            actor=actor, action=AuditAction.NOTICE_ANNOUNCEMENT_PUBLISHED, incident=incident,
            payload={"notice": notice.pk, "jurisdictions": [code for code, _ in grounds], "reason": announcement.reason},
        )
    return announcement


def _grounds(notice: Notice) -> list[tuple[str, str]]:
    """(jurisdiction, conditions_met) where substitute notice is allowed and someone was missed."""
    return [
        (row["jurisdiction"], row["substitute_notice"]["conditions_met"])
        for row in evidence.notice_reach(notice=notice)
        if row["substitute_notice"]["allowed"] and row["substitute_notice"]["conditions_met"] != "no"
    ]


def announcement_url(announcement: NoticeAnnouncement) -> str:
    return f"{settings.BREACHLINE_BASE_URL}/announcements/{announcement.slug}/"


@require_GET
def announcement_page(request, slug: str):
    """The public page: the notice's announcement rendering in the asked-for (or first) language."""
    announcement = get_object_or_404(NoticeAnnouncement.objects.select_related("notice"), slug=slug)
    notice = announcement.notice
    wanted = rendering.normalise_language(request.GET.get("lang") or notice.languages[0])
    language = wanted if wanted in notice.languages else notice.languages[0]
    message = rendering.render_message(version=notice.current_version, channel="announcement", language=language,
                                       recipient=rendering.public_reader())
    names = dict(settings.LANGUAGES)
    return render(request, "deliveries/announcement.html", {
        "announcement": announcement, "message": message, "language": language,
        "languages": [(code, names.get(code, code)) for code in notice.languages],
    })
