"""Recording a filing with a regulator from the obligations table: the generated PDF attached by
itself or an upload, the obligation met at once, later supplements, the file kept as filed."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from incidents.audit import AuditEvent
from tests.notifications.test_approval import approved


def _filing(prefix="submission", **values) -> dict:
    return {
        f"{prefix}-filed_at": "2026-03-29T14:00", f"{prefix}-filed_at_zone": "Europe/Berlin",
        f"{prefix}-channel": "BfDI online form", f"{prefix}-reference": "BfDI-2026-0042",
        f"{prefix}-attachment": "pdf", **{f"{prefix}-{key}": value for key, value in values.items()},
    }


def test_legal_files_the_generated_pdf_and_the_obligation_turns_met_in_the_table_and_the_timeline(
        client, eu_regulator_notice, responder, legal):
    notice = approved(eu_regulator_notice, responder, legal)
    obligation = notice.obligations.get()
    client.force_login(legal)
    incident_page = client.get(reverse("incident-detail", args=[notice.incident.ref])).content.decode()
    url = reverse("notifications:obligation-submissions", args=[obligation.pk])
    assert url in incident_page and "Record a regulator submission" in incident_page

    form = client.get(url).content.decode()
    assert "The notice&#x27;s generated PDF (attached automatically)" in form
    answer = client.post(url, {**_filing(), "submission-notice": notice.pk})
    assert answer.status_code == 302

    obligation.refresh_from_db()
    assert obligation.status == "met" and obligation.met_at.isoformat() == "2026-03-29T12:00:00+00:00"
    submission = obligation.submissions.get()
    assert bytes(submission.file_content).startswith(b"%PDF") and submission.file_name.endswith(".pdf")
    assert submission.reference == "BfDI-2026-0042" and not submission.supplementary
    page = client.get(answer["Location"]).content.decode()
    assert "BfDI-2026-0042" in page and "Filings and supplements" in page
    assert escape(f"submission #{obligation.submissions.get().pk} to {obligation.authority}") in page
    assert AuditEvent.objects.filter(action="regulator_submission.recorded").count() == 1
    download = client.get(reverse("notifications:submission-file", args=[submission.pk]))
    assert download.content == bytes(submission.file_content)


def test_a_later_upload_is_kept_as_supplementary_information(client, eu_regulator_notice, responder, legal):
    notice = approved(eu_regulator_notice, responder, legal)
    obligation = notice.obligations.get()
    client.force_login(legal)
    url = reverse("notifications:obligation-submissions", args=[obligation.pk])
    client.post(url, {**_filing(), "submission-notice": notice.pk})
    upload = SimpleUploadedFile("phase-2.pdf", b"%PDF-1.7 phase two", content_type="application/pdf")
    client.post(url, {**_filing(attachment="upload", note="Final numbers."), "submission-file": upload})

    second = obligation.submissions.order_by("id").last()
    assert second.supplementary and bytes(second.file_content) == b"%PDF-1.7 phase two"
    assert second.file_name == "phase-2.pdf" and second.note == "Final numbers."
    assert "Supplementary information" in client.get(url).content.decode()


def test_an_upload_must_come_with_its_file_and_a_future_filing_is_refused_next_to_its_field(
        client, eu_regulator_notice, responder, legal):
    notice = approved(eu_regulator_notice, responder, legal)
    obligation = notice.obligations.get()
    client.force_login(legal)
    url = reverse("notifications:obligation-submissions", args=[obligation.pk])
    missing = client.post(url, _filing(attachment="upload"))
    assert missing.status_code == 400 and "Choose the file that was filed." in missing.content.decode()
    future = client.post(url, {**_filing(filed_at="2099-01-01T00:00"), "submission-notice": notice.pk})
    assert future.status_code == 400 and "A submission cannot be filed in the future." in future.content.decode()
    assert not obligation.submissions.exists()


def test_a_responder_sees_the_filings_but_cannot_record_one(client, eu_regulator_notice, responder, legal):
    notice = approved(eu_regulator_notice, responder, legal)
    obligation = notice.obligations.get()
    client.force_login(responder)
    url = reverse("notifications:obligation-submissions", args=[obligation.pk])
    assert "Only legal records filings with an authority." in client.get(url).content.decode()
    client.post(url, {**_filing(), "submission-notice": notice.pk})
    assert not obligation.submissions.exists()


def test_a_filing_without_its_time_is_refused_next_to_the_field(client, eu_regulator_notice, responder, legal):
    notice = approved(eu_regulator_notice, responder, legal)
    obligation = notice.obligations.get()
    client.force_login(legal)
    url = reverse("notifications:obligation-submissions", args=[obligation.pk])
    answer = client.post(url, {**_filing(filed_at=""), "submission-notice": notice.pk})
    assert answer.status_code == 400 and "This field is required." in answer.content.decode()
    assert not obligation.submissions.exists()
