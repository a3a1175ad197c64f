"""The sweep: the safety net that makes the database, not the broker, the source of truth.

Beat runs it every ``DELIVERY_SWEEP_SECONDS``. It takes back rows whose worker is gone
and re-queues due rows that no task message carries any more, so a lost broker message
or a killed worker delays a notice but never loses it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.delivery import fallback
from notifications.delivery.completion import notices_complete_if_done
from notifications.delivery.policy import RetryPolicy
from notifications.delivery.queue import Send, batches, due_queryset
from notifications.models import (
    Delivery,
    DeliveryStatus,
    DeliveryTally,
    Notice,
    NoticeStatus,
    ReachTally,
    tally_compact,
)


def deliveries_sweep(*, send: Send) -> dict[str, int]:
    """Take back stuck rows, re-queue forgotten ones, complete finished notices; return the counts.

    1. Rows claimed longer ago than ``DELIVERY_STUCK_SECONDS`` (more than a task's hard
       limit, so their worker is gone) go back to the queue, or fail for good when
       their attempts are spent (a message that kills every worker that takes it).
    2. Due queued rows that no task message carried for ``DELIVERY_REQUEUE_SECONDS``
       (a lost message, a retry too far off for a delayed task) are queued again,
       at most ``DELIVERY_SWEEP_LIMIT`` per run.
    3. Notices with no open delivery left are completed.
    4. The counts kept of the notices still sending are folded, so reading them stays quick.
    """
    now, policy = timezone.now(), RetryPolicy.from_settings()
    stuck = Delivery.objects.filter(
        status=DeliveryStatus.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.DELIVERY_STUCK_SECONDS),
    )
    with transaction.atomic():
        spent = list(stuck.filter(attempts__gte=policy.max_attempts).values_list("id", flat=True))
        Delivery.objects.filter(id__in=spent).change_status(
            source=DeliveryStatus.SENDING, target=DeliveryStatus.FAILED, finished_at=now, claim_token=None, error_code="worker_lost",
            error_text="Every attempt ended with the worker lost mid-send.",
        )
        fallback.deliveries_fall_back(failed_ids=spent)
        limit = settings.DELIVERY_SWEEP_LIMIT
        rows = list(stuck.order_by("id").values_list("id", "notice_id", "channel")[:limit])
        Delivery.objects.filter(id__in=[row[0] for row in rows]).change_status(
            source=DeliveryStatus.SENDING, target=DeliveryStatus.QUEUED, claim_token=None, claimed_at=None, next_attempt_at=now, enqueued_at=now
        )
    requeued = len(rows)
    due = due_queryset(now=now, requeue_after=timedelta(seconds=settings.DELIVERY_REQUEUE_SECONDS))
    rows += list(due.order_by("id").values_list("id", "notice_id", "channel")[: max(0, limit - requeued)])
    # Batches are per notice and channel: one notice's trouble never holds back another's people.
    by_kind: dict[tuple[int, str], list[int]] = {}
    for delivery_id, notice_id, channel in rows:
        by_kind.setdefault((notice_id, channel), []).append(delivery_id)
    size = max(1, settings.DELIVERY_BATCH_SIZE)
    for ids in by_kind.values():
        for batch in batches(ids, size):
            Delivery.objects.filter(id__in=batch, status=DeliveryStatus.QUEUED).update(enqueued_at=now)
            send(batch)
    in_flight = list(Notice.objects.filter(status=NoticeStatus.SENDING).values_list("pk", flat=True))
    completed = notices_complete_if_done(notice_ids=in_flight)
    tally_compact(DeliveryTally, in_flight)
    tally_compact(ReachTally, in_flight)
    return {"failed": len(spent), "requeued": requeued, "queued": len(rows) - requeued, "completed": len(completed)}

