"""The server-rendered import page for an incident's affected people."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from notifications.models.recipient import Recipient


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_declared_and_identified_counts(responder, incident):
    body = client_for(responder).get(f"/incidents/{incident.ref}/recipients/").content.decode()
    assert "Declared" in body and "Identified" in body
    assert "US-CA" in body
    assert 'type="file"' in body


def test_a_responder_uploads_a_file_and_sees_the_rejects(responder, incident):
    upload = SimpleUploadedFile(
        "people.csv", b"external_id,email,jurisdiction\nc-1,ada@example.org,DE\nc-2,,DE\n", content_type="text/csv"
    )
    response = client_for(responder).post(f"/incidents/{incident.ref}/recipients/", {"file": upload})
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 imported, 1 rejected." in body
    assert "no usable contact method" in body
    assert Recipient.objects.filter(incident=incident).count() == 1


def test_unknown_columns_are_shown_as_an_error(responder, incident):
    upload = SimpleUploadedFile("people.csv", b"external_id,jurisdiction,shoe\nc-1,DE,42\n", content_type="text/csv")
    body = client_for(responder).post(f"/incidents/{incident.ref}/recipients/", {"file": upload}).content.decode()
    assert "Unknown column(s): shoe" in body


def test_an_outsider_is_refused(outsider, incident):
    assert client_for(outsider).get(f"/incidents/{incident.ref}/recipients/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(incident):
    response = Client().get(f"/incidents/{incident.ref}/recipients/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
