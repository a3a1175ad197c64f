"""An upload of people imported by a real Celery worker on PostgreSQL and Redis: the page shows its progress
while the import's transaction is still open, then the result once it has committed."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from notifications.models import RecipientImport
from notifications.models.recipient import Recipient
from tests.integration.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROWS = 30_000
READ = re.compile(r"(\d+) of about (\d+) rows read")


def _people() -> bytes:
    lines = ["external_id,jurisdiction,name,email"]
    lines += [f"p-{number},DE,Person {number},p{number}@example.org" for number in range(1, ROWS + 1)]
    lines[500] = "bad-500,XX,Nobody,nobody@example.org"
    return ("\n".join(lines) + "\n").encode()


def test_the_page_follows_a_worker_s_import_before_it_commits_then_shows_the_result(workers, responder, incident):
    assert settings.CACHES["progress"]["BACKEND"].endswith("RedisCache"), "the web and the worker share Redis (REDIS_URL)"
    workers.start(concurrency=1)
    client = Client()
    client.force_login(responder)

    response = client.post(f"/incidents/{incident.ref}/recipients/", {
        "file": SimpleUploadedFile("people.csv", _people(), content_type="text/csv")})
    job = RecipientImport.objects.get(incident=incident)
    assert response["Location"] == f"/incidents/{incident.ref}/recipients/imports/{job.pk}/"

    # While the worker's transaction is open, the bar moves and nobody is visible in the database yet.
    seen: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        fragment = client.get(f"/incidents/{incident.ref}/recipients/imports/{job.pk}/progress/").content.decode()
        job.refresh_from_db()
        if job.finished:
            break
        read, expected = map(int, READ.search(fragment).groups())
        assert expected == ROWS
        if 0 < read < ROWS:
            seen.append(read)
            assert not Recipient.objects.filter(incident=incident).exists()
        time.sleep(0.05)
    assert seen, "the bar never showed a count between 0 and the end while the import ran"
    assert seen == sorted(seen)

    wait_until(lambda: RecipientImport.objects.get(pk=job.pk).finished, timeout=120)
    job.refresh_from_db()
    assert (job.status, job.rows_read, job.imported, job.rejected, job.upload_sealed) == (
        "done", ROWS, ROWS - 1, 1, "")
    assert Recipient.objects.filter(incident=incident).count() == ROWS - 1
    page = client.get(f"/incidents/{incident.ref}/recipients/imports/{job.pk}/").content.decode()
    assert f"{ROWS} of about {ROWS} rows read (100 %)" in page
    assert "bad-500" in page and f"{ROWS - 1} people imported so far." in page
