"""A notice is sent once none of its deliveries is queued or sending any more."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet

from incidents.audit import AuditAction, audit_record
from incidents.models import Incident
from notifications.models import Delivery, Notice, NoticeStatus
from notifications.models.delivery import OPEN_STATUSES


def open_deliveries(*, notice_id: int) -> QuerySet[Delivery]:
    return Delivery.objects.filter(notice_id=notice_id, status__in=OPEN_STATUSES)


def notices_complete_if_done(*, notice_ids: Iterable[int]) -> list[int]:
    """Mark sent every notice in ``notice_ids`` that is sending and has no queued or sending row left."""
    completed = []
    for notice_id in notice_ids:
        if open_deliveries(notice_id=notice_id).exists():
            continue
        with transaction.atomic():
            incident_id = Notice.objects.filter(pk=notice_id).values_list("incident_id", flat=True).first()
            incident = Incident.objects.select_for_update().get(pk=incident_id)
            notice = Notice.objects.select_for_update().get(pk=notice_id)
            if notice.status != NoticeStatus.SENDING or open_deliveries(notice_id=notice_id).exists():
                continue
            notice.complete_sending()
            notice.save()
            audit_record(
                actor=None, action=AuditAction.NOTICE_SENDING_COMPLETED, incident=incident, from_state=NoticeStatus.SENDING,
                to_state=NoticeStatus.SENT, payload={"notice": notice.pk},
            )
            completed.append(notice_id)
    return completed

