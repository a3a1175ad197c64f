"""A large file of people in Chromium: the page waits for a worker, follows the import with its progress bar, and
ends on the counts and the rejects report, with no page reload by the person."""

from __future__ import annotations

from celery.contrib.testing.worker import start_worker
from django.db import connections
from django.db.backends.signals import connection_created

from config.celery import app as celery_app
from notifications.models import RecipientImport
from notifications.models.recipient import Recipient
from tests.browser import test_incident_flow as flow
from tests.browser.test_incident_flow import check_page, check_phone, log_in
from tests.browser.test_story import _read_uncommitted

pytestmark = flow.pytestmark
browser, page, phone = flow.browser, flow.page, flow.phone

# Row numbers (from 1) of the rows that are rejected, each for its own reason.
BAD_ROWS = {
    17: ("bad-17", "DE", "no-at-sign"),
    400: ("bad-400", "XX", "p400@example.org"),
    1200: ("bad-1200", "DE", ""),
    1999: ("p-0001", "DE", "dup@example.org"),
}


def _people(rows: int) -> str:
    lines = ["external_id,jurisdiction,name,email"]
    for number in range(1, rows + 1):
        external_id, jurisdiction, email = BAD_ROWS.get(number, (f"p-{number:04d}", "DE", f"p{number}@example.org"))
        lines.append(f"{external_id},{jurisdiction},Person number {number},{email}")
    return "\n".join(lines) + "\n"


def test_a_large_upload_shows_its_progress_then_the_counts_and_the_rejects(live_server, page, phone, responder,
                                                                           incident, monkeypatch, settings):
    people = _people(2000)
    assert len(people) > settings.IMPORT_IN_REQUEST_BYTES, "a file this large goes to a worker"
    monkeypatch.setattr(celery_app.conf, "broker_url", "memory://")
    connection_created.connect(_read_uncommitted, weak=False)
    _read_uncommitted(connections["default"])
    try:
        log_in(page, live_server.url, responder.username)
        page.goto(f"{live_server.url}/incidents/{incident.ref}/recipients/")
        page.set_input_files("input[name=file]", files=[
            {"name": "people.csv", "mimeType": "text/csv", "buffer": people.encode()}])
        page.click("main form button:has-text('Import')")

        # No worker yet: the job waits, and its page says so with an empty bar.
        page.wait_for_selector("text=Waiting for a worker to start the import.")
        job = RecipientImport.objects.get(incident=incident)
        assert page.url.endswith(f"/recipients/imports/{job.pk}/")
        assert page.locator("#import-progress").get_attribute("max") == "2000"
        assert page.locator("#import-progress").get_attribute("value") == "0"
        assert "0 of about 2000 rows read (0 %)" in page.inner_text("#import-job")
        check_page(page, "people-import-waiting")
        log_in(phone, live_server.url, responder.username)
        phone.goto(page.url)
        check_phone(phone, "people-import-waiting")

        # A worker takes it; the page polls the bar and shows the result once the import has committed.
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            page.wait_for_selector("text=1996 people imported so far.", timeout=60_000)
    finally:
        connection_created.disconnect(_read_uncommitted)

    card = page.inner_text("#import-job")
    assert "Done" in card and "2000 of about 2000 rows read (100 %)" in card
    assert page.locator("#import-progress").get_attribute("value") == "2000"
    rejects = page.locator("main h3:has-text('Rejected rows') + table tbody tr")
    assert rejects.count() == 4
    assert [rejects.nth(i).locator("td").nth(0).inner_text() for i in range(4)] == ["17", "400", "1200", "1999"]
    assert "bad-400" in page.inner_text("main h3:has-text('Rejected rows') + table")
    assert page.locator("#rejects-csv").input_value().startswith("row,external_id,outcome,reason\n17,bad-17,")
    assert Recipient.objects.filter(incident=incident).count() == 1996
    job.refresh_from_db()
    assert (job.status, job.rows_read, job.imported, job.rejected, job.upload_sealed) == ("done", 2000, 1996, 4, "")
    check_page(page, "people-import-done")
    phone.goto(page.url)
    check_phone(phone, "people-import-done")
