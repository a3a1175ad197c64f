"""A notice is sent once none of its deliveries is queued or sending any more; the duty to tell the
individuals is met once every person was reached on a channel that counts as notice there or was
handed to a fallback (a printed letter, substitute notice)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from incidents.audit import AuditAction, audit_record
from incidents.models import Incident, Obligation, ObligationStatus
from incidents.obligations import obligation_mark_met
from notifications.models import Delivery, Notice, NoticeStatus, Recipient
from notifications.models.delivery import ACCEPTED_STATUSES, OPEN_STATUSES


class DeliveryActor:
    """Who marks the individuals' duty met when delivery shows it: the audit trail names "delivery"."""

    pk = None
    username = "delivery"

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return perm == "incidents.change_obligation"

    def get_username(self) -> str:
        return self.username


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
            individuals_mark_met_if_reached(notice=notice)
    return completed


def individuals_mark_met_if_reached(*, notice: Notice) -> list[Obligation]:
    """Mark met the open duties to individuals that ``notice`` answers, once every person of the
    incident has an accepted delivery on a channel that counts as notice or was flagged for a printed
    letter or substitute notice; ``met_at`` is when the provider accepted the last legal message.

    A duty already past its deadline then is left open: the reasons for the delay are legal's to give.
    Returns the obligations marked met.
    """
    handled = Delivery.objects.filter(notice=notice, recipient=OuterRef("pk")).filter(
        Q(legal=True, status__in=ACCEPTED_STATUSES) | Q(needs_printed_letter=True) | Q(substitute=True)
    )
    people = Recipient.objects.filter(incident_id=notice.incident_id)
    if not people.exists() or people.filter(~Exists(handled)).exists():
        return []
    last = Delivery.objects.filter(notice=notice, legal=True, status__in=ACCEPTED_STATUSES).aggregate(
        last=Max("sent_at"))["last"] or timezone.now()
    duty_ids = list(notice.obligations.filter(
        audience="individuals", applies=True, status=ObligationStatus.OPEN).values_list("pk", flat=True))
    marked = []
    for duty_id in duty_ids:
        # Marking one duty met records that individuals were told, which re-plans the others: read each afresh.
        duty = Obligation.objects.get(pk=duty_id)
        if duty.status == ObligationStatus.OPEN and (duty.due_at is None or last <= duty.due_at):
            marked.append(obligation_mark_met(
                actor=DeliveryActor(), obligation=duty, met_at=last,
                reference=f"notice {notice.pk}: every person reached or handed to a fallback",
            ))
    return marked

