"""Substitute notice: publishing a notice as a public announcement page, withdrawing it, and serving that page."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
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
    """Publish the notice's announcement page; return it (the existing one when already published, a
    withdrawn one published again).

    Allowed once sending has started and some jurisdiction's rule allows substitute
    notice for people no channel reached: when the tool can count the condition as
    met, ``reason`` may be empty; when the condition is a judgement (e.g. GDPR's
    disproportionate effort), ``reason`` must say why. Raises PermissionDenied,
    Conflict (naming the condition that is not met) or ValidationError.
    """
    require_permission(actor, PUBLISH_PERMISSION, f"You need the permission '{PUBLISH_PERMISSION}' to publish substitute notice.")
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=notice.incident_id)
        existing = NoticeAnnouncement.objects.filter(notice=notice).first()
        if existing is not None and existing.withdrawn_at is None:
            return existing
        if notice.status not in (NoticeStatus.SENDING, NoticeStatus.SENT):
            raise Conflict("Substitute notice follows an attempt at individual notice: send the notice first.")
        reach = evidence.notice_reach(notice=notice)
        grounds = _grounds(reach)
        if not grounds:
            raise Conflict(_refusal(reach))
        if not reason.strip() and not any(met == "yes" for _, met in grounds):
            raise ValidationError({"reason": "Say why the rule's condition is met (it is a judgement): " + "; ".join(
                f"{row['jurisdiction']}: {row['substitute_notice']['rule']}" for row in reach
                if row["substitute_notice"]["conditions_met"] == "judgement")})
        reason = reason.strip() or "; ".join(f"{code}: condition met" for code, met in grounds if met == "yes")
        if existing is None:
            announcement = NoticeAnnouncement.objects.create(
                notice=notice, slug=secrets.token_urlsafe(24), published_by_id=actor.pk, reason=reason,
            )
        else:
            announcement = existing
            announcement.published_at, announcement.published_by_id = timezone.now(), actor.pk
            announcement.reason, announcement.withdrawn_at, announcement.withdrawn_reason = reason, None, ""
            announcement.save()
        audit_record(
            actor=actor, action=AuditAction.NOTICE_ANNOUNCEMENT_PUBLISHED, incident=incident,
            payload={"notice": notice.pk, "jurisdictions": [code for code, _ in grounds], "reason": announcement.reason},
        )
    return announcement


def notice_announcement_withdraw(*, actor: Actor, notice: Notice, reason: str) -> NoticeAnnouncement:
    """Take the announcement page down (it answers 404 from now on), with the reason; audited.

    Raises PermissionDenied, Conflict when nothing is published, ValidationError without a reason.
    """
    require_permission(actor, PUBLISH_PERMISSION, f"You need the permission '{PUBLISH_PERMISSION}' to withdraw substitute notice.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the announcement is withdrawn."})
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=notice.incident_id)
        announcement = NoticeAnnouncement.objects.filter(notice=notice, withdrawn_at__isnull=True).first()
        if announcement is None:
            raise Conflict("This notice has no published announcement.")
        announcement.withdrawn_at, announcement.withdrawn_reason = timezone.now(), reason.strip()
        announcement.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        audit_record(actor=actor, action=AuditAction.NOTICE_ANNOUNCEMENT_WITHDRAWN, incident=incident,
                     payload={"notice": notice.pk, "reason": reason.strip()})
    return announcement


def _grounds(reach: list[dict]) -> list[tuple[str, str]]:
    """(jurisdiction, conditions_met) where substitute notice is allowed and someone was missed."""
    return [
        (row["jurisdiction"], row["substitute_notice"]["conditions_met"])
        for row in reach
        if row["substitute_notice"]["allowed"] and row["substitute_notice"]["conditions_met"] != "no"
    ]


def _refusal(reach: list[dict]) -> str:
    """Why substitute notice cannot be published, jurisdiction by jurisdiction."""
    missed = [row for row in reach if row["unreachable"] or row["without_legal_notice"]]
    if not missed:
        return "Everyone was reached: substitute notice is only for people no channel could reach."
    parts = []
    for row in missed:
        rule = row["substitute_notice"]
        if rule["allowed"]:
            parts.append(f"{row['jurisdiction']}: the rule allows it only when \"{rule['rule']}\"; "
                         f"{row['unreachable']} of {row['people']} people were missed, which does not meet it.")
        else:
            parts.append(f"{row['jurisdiction']}: its rule has no substitute-notice clause "
                         f"({row['unreachable']} of {row['people']} people were missed).")
    return "Substitute notice cannot be published. " + " ".join(parts)


def announcement_url(announcement: NoticeAnnouncement) -> str:
    return f"{settings.BREACHLINE_BASE_URL}/announcements/{announcement.slug}/"


@require_GET
def announcement_page(request, slug: str):
    """The public page: the notice's announcement rendering in the asked-for (or first) language."""
    announcement = get_object_or_404(
        NoticeAnnouncement.objects.select_related("notice"), slug=slug, withdrawn_at__isnull=True
    )
    notice = announcement.notice
    wanted = rendering.normalise_language(request.GET.get("lang") or notice.languages[0])
    language = wanted if wanted in notice.languages else notice.languages[0]
    message = rendering.render_message(version=notice.current_version, channel="announcement", language=language,
                                       recipient=rendering.public_reader())
    names = dict(settings.NOTICE_LANGUAGES)
    with translation.override(language):
        return render(request, "deliveries/announcement.html", {
            "announcement": announcement, "message": message, "language": language,
            "languages": [(code, names.get(code, code)) for code in notice.languages],
        })
