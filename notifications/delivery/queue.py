"""Putting delivery work on the broker: the only module that enqueues Celery tasks.

Work is queued after the surrounding transaction commits (a worker must find the rows
it is told about) and by each task's explicit name, never through the task objects:
services and the sweep need not import ``notifications.tasks`` (which imports them), and
the names are a contract with messages already on a broker, so a message queued by an
older release still runs after an upgrade. Messages carry ids only, never content.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import zip_longest
from typing import Protocol

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications.models import Delivery, DeliveryStatus, NoticeDispatch

logger = logging.getLogger(__name__)

# Task names (``@shared_task(name=...)`` in notifications/tasks.py): never rename one.
NOTICE_DISPATCH = "notifications.notice_dispatch"
DELIVERIES_SEND = "notifications.deliveries_send"
DELIVERIES_SWEEP = "notifications.deliveries_sweep"
RECEIPTS_COLLECT = "notifications.receipts_collect"
CONTACTS_PURGE = "notifications.contacts_purge"
DISPATCHES_RELAY = "notifications.dispatches_relay"

# Delayed tasks wait in the worker's memory, unacknowledged: keep them well inside the
# broker's visibility timeout, and leave longer waits to the sweep (an indexed column).
COUNTDOWN_MAX_SECONDS = 300.0


class Send(Protocol):
    """Queue one batch of delivery ids, optionally after ``countdown`` seconds."""

    def __call__(self, delivery_ids: list[int], countdown: float = 0) -> None: ...


def _enqueue(name: str, args: list, countdown: float | None = None) -> None:
    transaction.on_commit(lambda: current_app.send_task(name, args=args, countdown=countdown))


def notice_dispatch_later(*, notice_id: int) -> None:
    """Record a dispatch of the notice in the current transaction (the outbox) and publish it after commit.

    The row commits with the notice's deliveries or not at all, so a broker that is down, or a process
    that dies before publishing, loses nothing: ``dispatches_relay`` (beat, every
    ``DISPATCH_RELAY_SECONDS``) publishes it within seconds of the broker's return. A dispatch that
    already waits is not recorded twice.
    """
    waiting = NoticeDispatch.objects.filter(notice_id=notice_id, published_at__isnull=True).first()
    dispatch = waiting or NoticeDispatch.objects.create(notice_id=notice_id)
    transaction.on_commit(lambda: _relay([dispatch.pk]))


def dispatch_waiting(*, notice_id: int) -> bool:
    """Whether a dispatch of the notice waits in the outbox because the broker refused it."""
    return NoticeDispatch.objects.filter(notice_id=notice_id, published_at__isnull=True).exclude(last_error="").exists()


def _publish(notice_id: int) -> None:
    # A connection of its own, from the current broker settings: a pooled one may be the broken one.
    with current_app.connection_for_write() as connection:
        current_app.send_task(
            NOTICE_DISPATCH, args=[notice_id], connection=connection, retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2},
        )


# How long a relay holds a dispatch it is publishing; after that another relay may take it over.
CLAIM_SECONDS = 60.0
# The most dispatches one relay publishes; the next relay takes the rest.
RELAY_LIMIT = 500


def dispatches_relay() -> int:
    """Publish the dispatches waiting in the outbox, oldest first; return how many the broker took.

    Stops at the first refusal: the broker is down, and the next relay tries again.
    """
    waiting = NoticeDispatch.objects.filter(published_at__isnull=True).order_by("id")
    return _relay(list(waiting.values_list("pk", flat=True)[:RELAY_LIMIT]))


def _relay(dispatch_ids: list[int]) -> int:
    """1. Claim each dispatch with a conditional UPDATE (unpublished, not held by another relay).
    2. Publish its notice's dispatcher task.
    3. Mark it published; on a broker error, let it go for the next relay and stop."""
    published = 0
    for dispatch_id in dispatch_ids:
        now = timezone.now()
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        mine = NoticeDispatch.objects.filter(free, pk=dispatch_id, published_at__isnull=True)
        if not mine.update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1):
            continue
        notice_id = NoticeDispatch.objects.values_list("notice_id", flat=True).get(pk=dispatch_id)
        try:
            _publish(notice_id)
        except (OperationalError, OSError) as exc:
            logger.warning("broker unavailable, notice %s will be dispatched when it is back: %s", notice_id, exc)
            NoticeDispatch.objects.filter(pk=dispatch_id).update(claimed_until=None, last_error=str(exc)[:500])
            break
        NoticeDispatch.objects.filter(pk=dispatch_id).update(published_at=timezone.now(), claimed_until=None)
        published += 1
        logger.info("notice %s dispatched", notice_id)
    return published


def deliveries_send_later(delivery_ids: list[int], countdown: float = 0) -> None:
    """Queue one batch of deliveries, after ``countdown`` seconds when given."""
    _enqueue(DELIVERIES_SEND, [list(delivery_ids)], countdown=countdown or None)


def batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for delivery_id in ids:
        batch.append(delivery_id)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _queued_ids(queryset: QuerySet[Delivery]) -> Iterator[int]:
    """Every id of ``queryset`` in id order, read in pages by key so memory stays flat."""
    last = 0
    while True:
        page = list(queryset.filter(id__gt=last).order_by("id").values_list("id", flat=True)[:5000])
        if not page:
            return
        yield from page
        last = page[-1]


def due_batches(*, queryset: QuerySet[Delivery], size: int) -> Iterator[list[int]]:
    """Batches of one channel each, taking the channels in turn so that every channel's
    rate limit is used from the start instead of SMS waiting behind a million e-mails."""
    channels = queryset.order_by().values_list("channel", flat=True).distinct()
    iterators = [batches(_queued_ids(queryset.filter(channel=channel)), size) for channel in sorted(channels)]
    for round_ in zip_longest(*iterators):
        yield from (batch for batch in round_ if batch)


def due_queryset(*, now: datetime, requeue_after: timedelta | None = None) -> QuerySet[Delivery]:
    """Queued rows that are due; with ``requeue_after``, only those no task message carried
    for that long (a new row counts as carried from ``queued_at``: the dispatcher follows it)."""
    due = Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
    if requeue_after is None:
        return due
    cutoff = now - requeue_after
    return due.filter(Q(enqueued_at__isnull=True, queued_at__lt=cutoff) | Q(enqueued_at__lt=cutoff))


def notice_dispatch(*, notice_id: int, send: Send) -> int:
    """Queue every due delivery of a notice through ``send(ids)`` in batches; return the batch count."""
    size = max(1, settings.DELIVERY_BATCH_SIZE)
    queryset = due_queryset(now=timezone.now()).filter(notice_id=notice_id)
    count = 0
    for batch in due_batches(queryset=queryset, size=size):
        send(batch)
        count += 1
    return count


def retries_schedule(*, retries: list[tuple[int, float]], send: Send) -> None:
    """Queue the batch's short retries as one delayed task; longer ones wait for the sweep."""
    soon = [(delivery_id, delay) for delivery_id, delay in retries if delay <= COUNTDOWN_MAX_SECONDS]
    if soon:
        send([delivery_id for delivery_id, _ in soon], countdown=max(delay for _, delay in soon) + 0.5)
