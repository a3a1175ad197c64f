"""Uploads of people as jobs: stored sealed, imported by the worker's task, the file erased at the end."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from incidents.audit import AuditEvent
from incidents.errors import Conflict
from notifications import tasks
from notifications.models import RecipientImport, crypto
from notifications.models.recipient import Recipient
from notifications.recipients.jobs import recipient_import_progress, recipient_import_upload
from notifications.recipients.queue import RECIPIENTS_IMPORT
from tests.broker import DEAD_BROKER, broker_at, broker_messages, filesystem_broker_at

PEOPLE = (
    "external_id,name,email,jurisdiction\n"
    "c-1,Ada Lovelace,ada@example.org,DE\n"
    "c-2,Bob Bauer,,DE\n"
    "c-3,Cy Young,cy@example.org,XX\n"
    "c-4,Di Diaz,di@example.org,US-CA\n"
)


@pytest.fixture(autouse=True)
def _every_upload_to_the_worker(settings):
    settings.IMPORT_IN_REQUEST_BYTES = 0


def _upload(text: str, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _raw(job: RecipientImport, column: str) -> str:
    """The column as the database holds it, read past the model."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT upload_sealed, rejects_sealed FROM notifications_recipientimport WHERE id = %s",
                       [job.pk])
        upload, rejects = cursor.fetchone()
    return {"upload_sealed": upload, "rejects_sealed": rejects}[column]


def test_the_worker_imports_a_stored_upload_keeps_the_report_sealed_and_erases_the_file(responder, incident):
    job = recipient_import_upload(actor=responder, incident=incident, upload=_upload(PEOPLE))
    assert (job.status, job.rows_expected, job.file_name) == ("pending", 4, "people.csv")
    sealed = _raw(job, "upload_sealed")
    assert sealed.startswith(f"{crypto.FORMAT}:") and "Ada" not in sealed and "ada@example.org" not in sealed
    assert not Recipient.objects.filter(incident=incident).exists()

    assert tasks.recipients_import(job.pk) == "done"

    job.refresh_from_db()
    assert (job.rows_read, job.imported, job.rejected) == (4, 2, 2)
    assert job.summary["per_jurisdiction"] == {"DE": 1, "US-CA": 1}
    assert job.started_at <= job.finished_at
    assert _raw(job, "upload_sealed") == "" and job.upload() == b""
    report = _raw(job, "rejects_sealed")
    assert report.startswith(f"{crypto.FORMAT}:") and "c-2" not in report
    rows = list(csv.reader(io.StringIO(job.rejects_csv())))
    assert [row[:3] for row in rows] == [["row", "external_id", "outcome"], ["2", "c-2", "rejected"],
                                         ["3", "c-3", "rejected"]]
    assert "no usable contact method" in rows[1][3] and "XX" in rows[2][3]
    assert Recipient.objects.filter(incident=incident).count() == 2
    assert recipient_import_progress(job) == {"rows_read": 4, "imported": 2, "rejected": 2, "expected": 4,
                                              "percent": 100}
    events = AuditEvent.objects.filter(incident=incident, action__startswith="recipients.").order_by("seq")
    assert [(event.action, event.actor) for event in events] == [
        ("recipients.import_started", responder), ("recipients.imported", responder)]
    assert events[0].payload == {"import": job.pk, "source": "people.csv", "bytes": len(PEOPLE), "by": "worker"}


def test_a_sealed_upload_opens_in_its_own_job_only(responder, incident):
    first = recipient_import_upload(actor=responder, incident=incident, upload=_upload(PEOPLE))
    second = recipient_import_upload(actor=responder, incident=incident, upload=_upload(PEOPLE))
    second.upload_sealed = first.upload_sealed
    assert first.upload() == PEOPLE.encode()
    with pytest.raises(crypto.DecryptionError):
        second.upload()


def test_an_unclosed_quote_fails_the_job_naming_the_line_and_erases_the_file(responder, incident):
    text = 'external_id,email,jurisdiction\nc-1,ada@example.org,DE\nc-2,"bob@example.org,DE\nc-3,cy@example.org,DE\n'
    job = recipient_import_upload(actor=responder, incident=incident, upload=_upload(text))

    assert tasks.recipients_import(job.pk) == "failed"

    job.refresh_from_db()
    assert "the record starting on line 3 does not end" in job.error
    assert _raw(job, "upload_sealed") == "" and job.finished_at is not None
    assert not Recipient.objects.filter(incident=incident).exists()
    failed = AuditEvent.objects.get(incident=incident, action="recipients.import_failed")
    assert failed.actor == responder and failed.payload["error"] == job.error


def test_a_second_run_of_the_same_job_finds_it_claimed_and_imports_nothing_twice(responder, incident):
    job = recipient_import_upload(actor=responder, incident=incident, upload=_upload(PEOPLE))
    assert tasks.recipients_import(job.pk) == "done"
    assert tasks.recipients_import(job.pk) == "claimed"
    assert Recipient.objects.filter(incident=incident).count() == 2


def test_an_uploader_who_lost_the_permission_before_the_worker_ran_is_refused(responder, incident):
    job = recipient_import_upload(actor=responder, incident=incident, upload=_upload(PEOPLE))
    responder.groups.remove(Group.objects.get(name="responder"))
    responder = type(responder).objects.get(pk=responder.pk)

    assert tasks.recipients_import(job.pk) == "failed"

    job.refresh_from_db()
    assert "notifications.import_recipients" in job.error and job.upload_sealed == ""


def test_an_outsider_or_a_closed_incident_stores_no_job(outsider, responder, incident):
    with pytest.raises(PermissionDenied):
        recipient_import_upload(actor=outsider, incident=incident, upload=_upload(PEOPLE))
    type(incident).objects.filter(pk=incident.pk).update(state="closed")
    with pytest.raises(Conflict):
        recipient_import_upload(actor=responder, incident=incident, upload=_upload(PEOPLE))
    assert not RecipientImport.objects.exists()


def test_a_small_file_is_imported_in_the_request(responder, incident, settings):
    settings.IMPORT_IN_REQUEST_BYTES = len(PEOPLE)
    job = recipient_import_upload(actor=responder, incident=incident, upload=_upload(PEOPLE))
    assert (job.status, job.imported, job.upload_sealed) == ("done", 2, "")
    started = AuditEvent.objects.get(incident=incident, action="recipients.import_started")
    assert started.payload["by"] == "request"


def test_an_import_whose_worker_was_lost_fails_after_the_time_limit_and_its_file_is_erased(responder, incident,
                                                                                             settings):
    job = recipient_import_upload(actor=responder, incident=incident, upload=_upload(PEOPLE))
    job.start()
    job.save()
    assert tasks.recipients_import(job.pk) == "claimed", "a redelivered message leaves a running job alone"
    limit = timedelta(seconds=settings.IMPORT_TASK_TIME_LIMIT + 60)

    with time_machine.travel(job.started_at + limit - timedelta(seconds=1)):
        assert tasks.recipient_imports_sweep()["failed"] == 0
    with time_machine.travel(job.started_at + limit + timedelta(seconds=1)):
        assert tasks.recipient_imports_sweep()["failed"] == 1

    job.refresh_from_db()
    assert job.status == "failed" and job.upload_sealed == ""
    assert job.error == "The worker importing this file stopped, so nothing was imported: upload it again."
    assert AuditEvent.objects.filter(incident=incident, action="recipients.import_failed").count() == 1


def test_an_upload_the_broker_refused_waits_stored_and_the_sweep_queues_it_once_the_broker_is_back(
    monkeypatch, tmp_path, settings, responder, incident, django_capture_on_commit_callbacks
):
    broker_at(monkeypatch, DEAD_BROKER)
    with django_capture_on_commit_callbacks(execute=True):
        job = recipient_import_upload(actor=responder, incident=incident, upload=_upload(PEOPLE))
    job.refresh_from_db()
    assert job.status == "pending" and job.upload_sealed, "kept, waiting: nothing to upload again"

    folder = tmp_path / "broker"
    filesystem_broker_at(monkeypatch, folder)
    wait = timedelta(seconds=settings.IMPORT_REQUEUE_SECONDS)
    with time_machine.travel(job.queued_at + wait - timedelta(seconds=1)):
        assert tasks.recipient_imports_sweep() == {"failed": 0, "requeued": 0}
    with time_machine.travel(job.queued_at + wait + timedelta(seconds=1)):
        assert tasks.recipient_imports_sweep() == {"failed": 0, "requeued": 1}
        assert tasks.recipient_imports_sweep() == {"failed": 0, "requeued": 0}, "queued again only after a wait"
    assert broker_messages(folder) == [{"task": RECIPIENTS_IMPORT, "args": f"[{job.pk}]"}]

    assert tasks.recipients_import(job.pk) == "done"
    assert Recipient.objects.filter(incident=incident).count() == 2
    assert tasks.recipients_import(job.pk) == "claimed", "a message queued twice imports once"
