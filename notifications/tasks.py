"""Celery tasks of fan-out. Each takes ids only and calls one function of ``notifications.fanout``.

Messages never carry rendered content, addresses or credentials: a task re-reads
its rows, and the conditional claim decides whether there is anything to do.
Every task has its own time limits, below the broker's visibility timeout
(``CELERY_BROKER_TRANSPORT_OPTIONS``), so a task is killed long before its
message could be handed to a second worker while it still runs.
"""

from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from notifications import fanout

# The deployment's own limits (settings, from CELERY_TASK_*_TIME_LIMIT), stated on every task so
# that none can run longer than the broker's visibility timeout allows. A batch stops sending on
# its own after DELIVERY_BATCH_SECONDS (default 120 s, below the soft limit) and gives the rest
# back; the limits only catch a provider call that hangs past its own timeout.
LIMITS = {
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
}


@shared_task(name="notifications.notice_dispatch", acks_late=True, **LIMITS)
def notice_dispatch(notice_id: int) -> int:
    """Queue every due delivery of the notice in batches; return how many batches."""
    return fanout.notice_dispatch(notice_id=notice_id, send=_send_later)


@shared_task(name="notifications.deliveries_send", acks_late=True, **LIMITS)
def deliveries_send(delivery_ids: list[int]) -> dict:
    """Claim and send a batch; queue its short retries; return the counts."""
    try:
        report = fanout.deliveries_send_batch(delivery_ids=delivery_ids)
    except SoftTimeLimitExceeded:
        # The batch recorded what it sent and gave the rest back in its own cleanup.
        return {"interrupted": True}
    if report.released:
        _send_later(report.released)
    fanout.retries_schedule(retries=report.retry_ids, send=_send_later)
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}


@shared_task(name="notifications.deliveries_sweep", acks_late=True, **LIMITS)
def deliveries_sweep() -> dict:
    """Re-queue lost and stuck deliveries, complete finished notices; return the counts."""
    return fanout.deliveries_sweep(send=_send_later)


def _send_later(delivery_ids: list[int], countdown: float = 0) -> None:
    deliveries_send.apply_async((delivery_ids,), countdown=countdown or None)

