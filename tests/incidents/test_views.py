"""The server-rendered pages responders and legal use."""

from __future__ import annotations

import pytest

from incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_responder_creates_an_incident_with_the_form_and_sees_its_obligations(client, responder):
    client.force_login(responder)
    response = client.post("/incidents/new/", {
        "title": "Stolen laptop", "aware_at": "2026-03-27T10:00:00+01:00",
        "affected": '{"DE": 40, "US-CA": 600}', "data_categories": ["name", "ssn"],
    }, follow=True)
    incident = Incident.objects.get(title="Stolen laptop")
    page = response.content.decode()
    assert incident.ref in page
    assert "Obligations" in page and "US-CA" in page
    assert "verify before relying on it" in page  # California's AG copy is a secondary-source rule


def test_bad_affected_json_is_reported_on_the_field(client, responder):
    client.force_login(responder)
    response = client.post("/incidents/new/", {"title": "x", "aware_at": "2026-03-27T10:00:00+01:00",
                                               "affected": '{"XX": 4}'})
    assert "Unknown jurisdiction code" in response.content.decode()
    assert not Incident.objects.exists()


def test_transition_button_reports_the_unmet_condition(client, responder, incident):
    client.force_login(responder)
    response = client.post(f"/incidents/{incident.ref}/transitions/contain/", {"reason": ""}, follow=True)
    assert "containment summary is required" in response.content.decode()


def test_assessment_form_records_the_enisa_level(client, responder, incident):
    client.force_login(responder)
    response = client.post(f"/incidents/{incident.ref}/assessment/", {
        "ease_of_identification": "maximum", "confidentiality": "public", "integrity": "none",
        "availability": "none", "malicious": "on",
    }, follow=True)
    assert "Risk assessed: very high" in response.content.decode()


def test_outsider_gets_403_on_incident_pages(client, outsider, incident):
    client.force_login(outsider)
    assert client.get("/").status_code == 403
    assert client.get(f"/incidents/{incident.ref}/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
