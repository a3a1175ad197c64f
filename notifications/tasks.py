"""Celery entry points of delivery and of people's imports. Each takes ids only and calls one service.

Messages never carry rendered content, addresses or credentials: a task re-reads
its rows, and the conditional claim decides whether there is anything to do.
Every task has its own time limits, below the broker's visibility timeout
(``CELERY_BROKER_TRANSPORT_OPTIONS``), so a task is killed long before its
message could be handed to a second worker while it still runs. Nothing imports
this module but Celery: work is queued by name through ``notifications.delivery.queue`` and
``notifications.recipients.queue``.
"""

from __future__ import annotations

from typing import TypedDict

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from notifications.delivery import batch, queue, receipts, sweep
from notifications.recipients import jobs, retention
from notifications.recipients import queue as recipients_queue


# The deployment's own limits (settings, from CELERY_TASK_*_TIME_LIMIT), stated on every task so
# that none can run longer than the broker's visibility timeout allows. A batch stops sending on
# its own after DELIVERY_BATCH_SECONDS (default 120 s, below the soft limit) and gives the rest
# back; the limits only catch a provider call that hangs past its own timeout.
class Limits(TypedDict):
    soft_time_limit: int
    time_limit: int


LIMITS = Limits(soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT, time_limit=settings.CELERY_TASK_TIME_LIMIT)
IMPORT_LIMITS = Limits(soft_time_limit=settings.IMPORT_TASK_TIME_LIMIT - 30, time_limit=settings.IMPORT_TASK_TIME_LIMIT)


@shared_task(name=queue.NOTICE_DISPATCH, acks_late=True, **LIMITS)
def notice_dispatch(notice_id: int) -> int:
    """Queue every due delivery of the notice in batches; return how many batches."""
    return queue.notice_dispatch(notice_id=notice_id, send=queue.deliveries_send_later)


@shared_task(name=queue.DISPATCHES_RELAY, acks_late=True, **LIMITS)
def dispatches_relay() -> int:
    """Publish the notice dispatches the outbox holds (the broker was down when they were recorded)."""
    return queue.dispatches_relay()


@shared_task(name=queue.DELIVERIES_SEND, acks_late=True, **LIMITS)
def deliveries_send(delivery_ids: list[int]) -> dict:
    """Claim and send a batch; queue its short retries; return the counts."""
    try:
        report = batch.deliveries_send_batch(delivery_ids=delivery_ids)
    except SoftTimeLimitExceeded:
        # The batch recorded what it sent and gave the rest back in its own cleanup.
        return {"interrupted": True}
    if report.released:
        queue.deliveries_send_later(report.released)
    queue.retries_schedule(retries=report.retry_ids, send=queue.deliveries_send_later)
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}


@shared_task(name=queue.DELIVERIES_SWEEP, acks_late=True, **LIMITS)
def deliveries_sweep() -> dict:
    """Re-queue lost and stuck deliveries, complete finished notices; return the counts."""
    return sweep.deliveries_sweep(send=queue.deliveries_send_later)


@shared_task(name=queue.RECEIPTS_COLLECT, acks_late=True, **LIMITS)
def receipts_collect() -> dict:
    """Ask Tencent Cloud SMS, Alibaba Cloud SMS and JPush what became of accepted messages."""
    return receipts.receipts_collect()


@shared_task(name=queue.CONTACTS_PURGE, acks_late=True, **LIMITS)
def contacts_purge() -> dict[str, int]:
    return retention.contacts_purge_due(actor=None, now=timezone.now())


@shared_task(name=recipients_queue.RECIPIENTS_IMPORT, acks_late=True, **IMPORT_LIMITS)
def recipients_import(job_id: int) -> str:
    """Import an uploaded file of people; return the job's status ("claimed" when another run has it)."""
    job = jobs.recipient_import_run(job_id=job_id)
    return job.status if job else "claimed"


@shared_task(name=recipients_queue.RECIPIENT_IMPORTS_SWEEP, acks_late=True, **LIMITS)
def recipient_imports_sweep() -> dict[str, int]:
    """Fail the imports whose worker was lost and queue again those still waiting; return how many of each."""
    now = timezone.now()
    return {"failed": jobs.recipient_imports_fail_lost(now=now), "requeued": jobs.recipient_imports_requeue(now=now)}
