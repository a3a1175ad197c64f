"""Putting an upload of people on the broker, for a worker to import.

Like ``notifications.delivery.queue`` (which this wing may not import), by the task's explicit
name, with the job's id only: the file stays sealed in the database, never in a message. A job
the broker refused, or whose message was lost, waits in the database: the sweep queues it again.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# Task names (``@shared_task(name=...)`` in notifications/tasks.py): never rename one.
RECIPIENTS_IMPORT = "notifications.recipients_import"
RECIPIENT_IMPORTS_SWEEP = "notifications.recipient_imports_sweep"


def recipient_import_publish(job_id: int) -> bool:
    """Put the import job on the broker now; False when the broker refuses it (the job waits for the sweep)."""
    try:
        # A connection of its own, from the current broker settings: a pooled one may be the broken one.
        with current_app.connection_for_write() as connection:
            current_app.send_task(
                RECIPIENTS_IMPORT, args=[job_id], connection=connection, retry=True,
                retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2},
            )
    except (OperationalError, OSError) as exc:
        logger.warning("broker unavailable, import %s waits for the sweep: %s", job_id, exc)
        return False
    return True


def recipient_import_later(*, job_id: int) -> None:
    """Put the import job on the broker once the surrounding transaction commits."""
    transaction.on_commit(lambda: recipient_import_publish(job_id))
