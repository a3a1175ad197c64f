"""Putting delivery work on the broker: the only module that enqueues Celery tasks.

Work is queued after the surrounding transaction commits (a worker must find the rows
it is told about) and by each task's explicit name, never through the task objects:
services and the sweep need not import ``notifications.tasks`` (which imports them), and
the names are a contract with messages already on a broker, so a message queued by an
older release still runs after an upgrade. Messages carry ids only, never content.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import zip_longest
from typing import Protocol

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications.models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)

# Task names (``@shared_task(name=...)`` in notifications/tasks.py): never rename one.
NOTICE_DISPATCH = "notifications.notice_dispatch"
DELIVERIES_SEND = "notifications.deliveries_send"
DELIVERIES_SWEEP = "notifications.deliveries_sweep"
RECEIPTS_COLLECT = "notifications.receipts_collect"
CONTACTS_PURGE = "notifications.contacts_purge"

# Delayed tasks wait in the worker's memory, unacknowledged: keep them well inside the
# broker's visibility timeout, and leave longer waits to the sweep (an indexed column).
COUNTDOWN_MAX_SECONDS = 300.0


class Send(Protocol):
    """Queue one batch of delivery ids, optionally after ``countdown`` seconds."""

    def __call__(self, delivery_ids: list[int], countdown: float = 0) -> None: ...


def _enqueue(name: str, args: list, countdown: float | None = None) -> None:
    transaction.on_commit(lambda: current_app.send_task(name, args=args, countdown=countdown))


def notice_dispatch_later(*, notice_id: int) -> None:
    """Queue the dispatcher of a notice that started sending (it queues the batches), after commit.

    The notice and its deliveries are already committed when this runs, so a broker that is down
    loses nothing: the dispatch waits in this process and is published, by ``_Redispatcher``,
    within ``RETRY_SECONDS`` of the broker's return (``dispatch_waiting`` says whether it waits).
    """
    transaction.on_commit(lambda: _dispatch(notice_id))


def dispatch_waiting(*, notice_id: int) -> bool:
    """Whether this process holds a dispatch of the notice that the broker did not take yet."""
    return _redispatcher.waiting(notice_id)


def _publish(notice_id: int) -> None:
    # A connection of its own, from the current broker settings: a pooled one may be the broken one.
    with current_app.connection_for_write() as connection:
        current_app.send_task(
            NOTICE_DISPATCH, args=[notice_id], connection=connection, retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2},
        )


def _dispatch(notice_id: int) -> None:
    try:
        _publish(notice_id)
    except (OperationalError, OSError) as exc:
        logger.warning("broker unavailable, notice %s will be dispatched when it is back: %s", notice_id, exc)
        _redispatcher.add(notice_id)
    else:
        _redispatcher.discard(notice_id)


# Seconds between two attempts to publish a waiting dispatch.
RETRY_SECONDS = 2.0


class _Redispatcher:
    """Publishes the dispatches the broker refused, retrying every ``RETRY_SECONDS`` in one daemon
    thread per process. If the process dies first, the sweep still finds the rows (later)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: set[int] = set()
        self._thread: threading.Thread | None = None

    def add(self, notice_id: int) -> None:
        with self._lock:
            self._waiting.add(notice_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="breachline-redispatch", daemon=True)
                self._thread.start()

    def discard(self, notice_id: int) -> None:
        with self._lock:
            self._waiting.discard(notice_id)

    def waiting(self, notice_id: int) -> bool:
        with self._lock:
            return notice_id in self._waiting

    def _run(self) -> None:
        while True:
            time.sleep(RETRY_SECONDS)
            with self._lock:
                pending = sorted(self._waiting)
                if not pending:
                    self._thread = None
                    return
            for notice_id in pending:
                try:
                    _publish(notice_id)
                except (OperationalError, OSError):
                    break
                self.discard(notice_id)
                logger.info("broker back: notice %s dispatched", notice_id)


_redispatcher = _Redispatcher()


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
