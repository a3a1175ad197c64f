"""Uploads of affected people as jobs: stored sealed, imported by a worker (or at once when small),
their progress followed by the page.

An import is one transaction (``importing``), so the counts it reaches cannot be read from the
database before it commits (PostgreSQL shows nobody another's uncommitted rows; SQLite has one
writer). The worker writes them after every chunk to the ``progress`` cache, which the web
process shares (Redis, or files under var/), and to the job's row once the import has committed.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from incidents.actors import Actor
from incidents.audit import AuditAction, audit_record
from incidents.errors import Conflict, error_message
from incidents.models import Incident
from notifications.models import RecipientImport, RecipientImportStatus
from notifications.recipients.importing import (
    ImportSummary,
    recipients_import_check,
    recipients_import_stream,
)
from notifications.recipients.queue import recipient_import_later, recipient_import_publish
from notifications.recipients.reading import ImportFormatError

logger = logging.getLogger(__name__)

# Progress entries outlive any import a worker may run (its time limit), then go by themselves.
PROGRESS_SECONDS = 24 * 3600


def _rows_expected(data: bytes, name: str) -> int:
    """Lines after a CSV header, or of a JSON Lines file: exact unless a CSV value spans lines."""
    lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return max(lines - (0 if name.endswith((".jsonl", ".ndjson")) else 1), 0)


def recipient_import_upload(*, actor: Actor, incident: Incident, upload) -> RecipientImport:
    """Store an uploaded file (Django ``UploadedFile``) as an import job and start it; return the job.

    1. Check that ``actor`` may import people into the incident now.
    2. Store the job with the file sealed, and audit its start, in one transaction.
    3. A file up to ``IMPORT_IN_REQUEST_BYTES`` is imported at once (the job returned has ended);
       a larger one is queued for a worker after the commit (with the broker down it waits, stored, for
       ``recipient_imports_requeue``).

    Raises PermissionDenied, or Conflict when the incident is closed.
    """
    recipients_import_check(actor=actor, incident=incident)
    data = upload.read()
    in_request = len(data) <= settings.IMPORT_IN_REQUEST_BYTES
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        job = RecipientImport(incident=locked, uploaded_by=actor, file_name=upload.name[:255], file_size=len(data),
                              rows_expected=_rows_expected(data, upload.name))
        job.keep_upload(data)
        job.save()
        audit_record(actor=actor, action=AuditAction.RECIPIENTS_IMPORT_STARTED, incident=locked, payload={
            "import": job.pk, "source": job.file_name, "bytes": job.file_size,
            "by": "request" if in_request else "worker"})
        if not in_request:
            recipient_import_later(job_id=job.pk)
    if in_request:
        return recipient_import_run(job_id=job.pk) or job
    return job


def _progress_key(job: RecipientImport) -> str:
    return f"breachline:recipient-import:{job.seal_token}"


def _progress_write(job: RecipientImport, summary: ImportSummary) -> None:
    caches["progress"].set(_progress_key(job), {
        "rows_read": summary.read, "imported": summary.imported, "rejected": summary.rejected,
    }, PROGRESS_SECONDS)


def recipient_import_progress(job: RecipientImport) -> dict[str, int]:
    """Rows read, imported and rejected so far, with the rows expected and the percentage read.

    From the job's row once the import has ended, else from the progress the worker publishes.
    """
    if job.finished:
        counts = {"rows_read": job.rows_read, "imported": job.imported, "rejected": job.rejected}
    elif job.status == RecipientImportStatus.RUNNING:
        counts = caches["progress"].get(_progress_key(job)) or {"rows_read": 0, "imported": 0, "rejected": 0}
    else:
        counts = {"rows_read": 0, "imported": 0, "rejected": 0}
    expected = max(job.rows_expected, counts["rows_read"])
    percent = 100 if job.status == RecipientImportStatus.DONE else (
        min(99, counts["rows_read"] * 100 // expected) if expected else 0)
    return {**counts, "expected": expected, "percent": percent}


def recipient_import_run(*, job_id: int) -> RecipientImport | None:
    """Import a stored upload as its uploader; return the job once ended, or None when another run has it.

    1. Claim the job (pending -> running): the save is conditional on the status it read.
    2. Import the file, publishing the counts after every chunk.
    3. Done: store the counts, the summary and the sealed rejects report, and erase the file.
       Refused (a permission lost, the incident closed, a malformed file) or stopped: store the reason,
       erase the file and audit the failure. The import's own transaction leaves nothing behind.
    """
    job = RecipientImport.objects.select_related("incident", "uploaded_by").get(pk=job_id)
    try:
        job.start()
        job.save()
    except (TransitionNotAllowed, ConcurrentTransition):
        return None
    _progress_write(job, ImportSummary())
    # The reason of a failure is stored as written in English (the worker and each request may speak another
    # language); the page translates it for its reader.
    with translation.override(None):
        return _run(job)


def _run(job: RecipientImport) -> RecipientImport:
    try:
        if job.uploaded_by is None:
            raise PermissionDenied(gettext_noop("The person who uploaded the file no longer has an account."))
        summary, rejects = recipients_import_stream(
            actor=job.uploaded_by, incident=job.incident, stream=io.BytesIO(job.upload()), name=job.file_name,
            via="web", progress=lambda done: _progress_write(job, done),
        )
    except (ImportFormatError, PermissionDenied, Conflict) as exc:
        return _fail(job, error_message(exc))
    except SoftTimeLimitExceeded:
        return _fail(job, gettext_noop("The import took longer than a worker may run, so nothing was imported: "
                                       "import a file this large with manage.py import_recipients."))
    except Exception:
        _fail(job, gettext_noop("The import stopped on an unexpected error, so nothing was imported."))
        raise
    job.finish(summary=summary.as_dict(), rows_read=summary.read, rejects_csv=rejects)
    job.save()
    caches["progress"].delete(_progress_key(job))
    return job


def _fail(job: RecipientImport, error: str) -> RecipientImport:
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=job.incident_id)
        job.fail(error=error)
        job.save()
        audit_record(actor=job.uploaded_by, action=AuditAction.RECIPIENTS_IMPORT_FAILED, incident=locked,
                     payload={"import": job.pk, "source": job.file_name, "error": error})
    caches["progress"].delete(_progress_key(job))
    return job


def recipient_imports_fail_lost(*, now: datetime) -> int:
    """Fail, erasing its file, every import still running a minute past the task's hard time limit; return how
    many. Its worker was killed or restarted, so its transaction rolled back and nothing was imported; a
    redelivered message finds the job claimed and leaves it to this sweep."""
    cutoff = now - timedelta(seconds=settings.IMPORT_TASK_TIME_LIMIT + 60)
    lost = RecipientImport.objects.filter(status=RecipientImportStatus.RUNNING, started_at__lt=cutoff)
    failed = 0
    for job in lost.select_related("incident", "uploaded_by"):
        try:
            _fail(job, gettext_noop("The worker importing this file stopped, so nothing was imported: upload it again."))
        except ConcurrentTransition:
            continue
        failed += 1
    return failed


def recipient_imports_requeue(*, now: datetime) -> int:
    """Put on the broker again every job still waiting ``IMPORT_REQUEUE_SECONDS`` after it was last queued: the
    broker refused it or lost its message (or the request that was importing it died before it started). A
    job queued twice is imported once: the first run claims it. Return how many were queued; stop at the
    first refusal (the broker is still down, the next sweep tries again)."""
    cutoff = now - timedelta(seconds=settings.IMPORT_REQUEUE_SECONDS)
    waiting = RecipientImport.objects.filter(status=RecipientImportStatus.PENDING, queued_at__lt=cutoff)
    queued = 0
    for job_id in waiting.order_by("pk").values_list("pk", flat=True):
        if not recipient_import_publish(job_id):
            break
        RecipientImport.objects.filter(pk=job_id).update(queued_at=now)
        queued += 1
    return queued
