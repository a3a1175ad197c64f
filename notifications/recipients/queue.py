"""Putting an upload of people on the broker, for a worker to import.

Like ``notifications.delivery.queue`` (which this wing may not import), by the task's explicit
name, after the surrounding transaction commits, with the job's id only: the file stays sealed in
the database, never in a message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# Task names (``@shared_task(name=...)`` in notifications/tasks.py): never rename one.
RECIPIENTS_IMPORT = "notifications.recipients_import"
RECIPIENT_IMPORTS_SWEEP = "notifications.recipient_imports_sweep"


def recipient_import_later(*, job_id: int, refused: Callable[[int, str], None]) -> None:
    """Queue the import job after commit; ``refused(job_id, reason)`` when the broker refuses it."""

    def publish() -> None:
        try:
            current_app.send_task(RECIPIENTS_IMPORT, args=[job_id])
        except (OperationalError, OSError) as exc:
            logger.warning("broker unavailable, import %s not queued: %s", job_id, exc)
            refused(job_id, str(exc))

    transaction.on_commit(publish)
