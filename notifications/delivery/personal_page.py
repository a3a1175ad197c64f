"""The personal notice page ``/n/<token>/``: a person's full notice, in their language, with no login.

The token (256 random bits, see ``new_personal_token``) is the only key. Which
notice: the version last delivered to the person; before any delivery exists,
the latest approved (or sending, or sent) notice to individuals of their incident
whose jurisdictions cover where they live.
"""

from __future__ import annotations

import re
import secrets

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from incidents.audit import AuditAction, audit_record
from incidents.models import Audience, Incident
from incidents.rules.loader import load_rules
from notifications.models import Delivery, Notice, NoticeStatus, Recipient

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
SHOWN_NOTICE_STATUSES = (NoticeStatus.APPROVED, NoticeStatus.SENDING, NoticeStatus.SENT)


def recipient_by_token(token: str) -> Recipient:
    """Return the person the token belongs to; raises Http404 for anything else.

    The lookup goes through the unique index and the stored token is compared in
    constant time, so neither the answer nor its timing says how close a guess was.
    """
    recipient = Recipient.objects.select_related("incident").filter(personal_token=token).first() if _TOKEN.match(
        token
    ) else None
    if recipient is None or not secrets.compare_digest(recipient.personal_token.encode(), token.encode()):
        raise Http404("No such notice.")
    return recipient


def _delivered_version(recipient: Recipient):
    delivery = Delivery.objects.filter(recipient=recipient).select_related("version__notice").order_by("-id").first()
    return delivery.version if delivery else None


def _latest_approved_version(recipient: Recipient):
    covering = set(load_rules().covering(recipient.jurisdiction))
    notices = Notice.objects.filter(
        incident_id=recipient.incident_id, audience=Audience.INDIVIDUALS, status__in=SHOWN_NOTICE_STATUSES
    ).order_by("-id")
    for notice in notices:
        if covering & set(notice.jurisdictions or []):
            return notice.current_version
    return None


def notice_version_for(recipient: Recipient):
    """Return the notice version to show the person, or None when no notice is ready for them."""
    return _delivered_version(recipient) or _latest_approved_version(recipient)


def notice_language(version, recipient: Recipient) -> str:
    """The person's language when the version has text in it, else English (the renderer's own rule)."""
    available = list(version.elements or {})
    if not available or recipient.language in available:
        return recipient.language
    return "en" if "en" in available else available[0]


def recipient_mark_read(*, recipient: Recipient, version) -> bool:
    """Record the first opening of the page and audit it once; return True if this was the first.

    The conditional UPDATE makes two simultaneous first opens record one time and one event.
    """
    with transaction.atomic():
        first = Recipient.objects.filter(pk=recipient.pk, read_at=None).update(read_at=timezone.now()) == 1
        if first:
            incident = Incident.objects.select_for_update().get(pk=recipient.incident_id)
            audit_record(
                actor=None, action=AuditAction.RECIPIENT_NOTICE_OPENED, incident=incident,
                payload={"recipient": recipient.pk, "notice_version": getattr(version, "pk", None)},
            )
    return first
