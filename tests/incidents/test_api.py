"""The incident REST API: shapes, permissions and the 400 / 403 / 409 answers."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

NEW_INCIDENT = {
    "title": "Phished admin account",
    "description": "An administrator's password was phished.",
    "occurred_at": "2026-03-26T08:00:00+01:00",
    "aware_at": "2026-03-27T10:00:00+01:00",
    "affected": {"DE": 1200, "US-CA": 501, "CN": 1200000},
    "data_categories": ["name", "email_address", "password"],
    "encrypted": False,
    "key_compromised": False,
}


def test_responder_creates_an_incident_in_the_planner_shape(api_as, responder):
    response = api_as(responder).post("/api/incidents/", NEW_INCIDENT, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ref"] == "INC-2026-0001"
    assert body["state"] == "detected"
    assert body["aware_at"] == "2026-03-27T09:00:00Z"
    assert body["affected"] == {"CN": 1200000, "DE": 1200, "US-CA": 501}
    assert body["data_categories"] == ["name", "email_address", "password"]
    assert body["encrypted"] is False and body["key_compromised"] is False


def test_token_authentication_works(client, responder):
    token = client.post("/api/auth/token/", {"username": responder.username, "password": "rita_responder-password-123"})
    response = client.get("/api/incidents/", HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"aware_at": "2026-03-25T10:00:00+01:00"}, "aware_at", "cannot be before occurred_at"),
        ({"affected": {"XX": 5}}, "affected", "Unknown jurisdiction code 'XX'"),
        ({"affected": {"DE": -1}}, "affected", "whole number from 0 to 2,000,000,000"),
        ({"data_categories": ["name", "shoe_size"]}, "data_categories", "shoe_size"),
        ({"title": ""}, "title", "blank"),
        ({"aware_at": "2026-03-27T10:00:00"}, "aware_at", "has no time zone offset"),
        ({"occurred_at": "2026-03-26 08:00"}, "occurred_at", "has no time zone offset"),
        ({"determined_at": "2026-03-27T08:00:00Z"}, "determined_at", "before the organisation became aware"),
    ],
)
def test_invalid_facts_answer_400_naming_the_field(api_as, responder, change, field, message):
    response = api_as(responder).post("/api/incidents/", NEW_INCIDENT | change, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])


def test_outsider_gets_403_on_list_and_create(api_as, outsider):
    assert api_as(outsider).get("/api/incidents/").status_code == 403
    assert api_as(outsider).post("/api/incidents/", NEW_INCIDENT, format="json").status_code == 403


def test_anonymous_is_refused(client):
    assert client.get("/api/incidents/").status_code in (401, 403)


def test_legal_cannot_create_incidents(api_as, legal):
    assert api_as(legal).post("/api/incidents/", NEW_INCIDENT, format="json").status_code == 403


def test_patch_edits_facts_and_audits_old_and_new_values(api_as, responder, incident):
    response = api_as(responder).patch(
        f"/api/incidents/{incident.ref}/", {"affected": {"DE": 1500}, "encrypted": True}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["affected"] == {"DE": 1500}
    event = incident.audit_events.get(action="incident.edited")
    assert event.payload["changes"]["affected"] == [{"DE": 1200, "US-CA": 501}, {"DE": 1500}]
    assert event.payload["changes"]["encrypted"] == [False, True]


def test_transition_endpoint_takes_the_summary(api_as, responder, incident):
    response = api_as(responder).post(
        f"/api/incidents/{incident.ref}/transitions/contain/", {"summary": "Bucket closed."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "contained"


def test_unknown_transition_is_409(api_as, responder, incident):
    response = api_as(responder).post(f"/api/incidents/{incident.ref}/transitions/explode/", {}, format="json")
    assert response.status_code == 409
    assert "Unknown transition 'explode'" in response.json()["detail"]


def test_transition_not_allowed_from_state_is_409_with_reason(api_as, responder, incident):
    response = api_as(responder).post(f"/api/incidents/{incident.ref}/transitions/assess/", {}, format="json")
    assert response.status_code == 409
    assert "it is detected" in response.json()["detail"]


def test_unmet_condition_is_409_with_its_message(api_as, responder, incident):
    response = api_as(responder).post(f"/api/incidents/{incident.ref}/transitions/contain/", {}, format="json")
    assert response.status_code == 409
    assert "containment summary is required" in response.json()["detail"]


def test_missing_permission_is_403(api_as, legal, incident):
    response = api_as(legal).post(
        f"/api/incidents/{incident.ref}/transitions/contain/", {"summary": "x"}, format="json"
    )
    assert response.status_code == 403


def test_audit_endpoint_lists_the_chain(api_as, legal, responder, incident):
    api_as(responder).post(f"/api/incidents/{incident.ref}/transitions/contain/", {"summary": "x"}, format="json")
    events = api_as(legal).get(f"/api/incidents/{incident.ref}/audit/").json()
    assert [event["action"] for event in events] == ["incident.created", "obligations.recomputed", "incident.contain"]
    assert [event["prev_hash"] for event in events[1:]] == [event["hash"] for event in events[:-1]]


def test_openapi_schema_and_docs_are_served(client, responder):
    client.force_login(responder)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_the_openapi_schema_describes_every_endpoint_without_guesswork(tmp_path):
    """Integrations generate clients from the schema: no endpoint may be left out or half-described."""
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yml"))
    assert "/api/notices/{id}/letters.pdf" in (tmp_path / "schema.yml").read_text()


def test_legal_records_a_no_harm_determination_with_its_author_and_it_reaches_the_planner(api_as, legal, incident):
    from incidents.obligations import incident_engine_facts

    response = api_as(legal).put(
        f"/api/incidents/{incident.ref}/no-harm-determination/",
        {"reason": "Sent to one vetted processor by mistake and deleted unread (written confirmation on file)."},
        format="json",
    )
    assert response.status_code == 200, response.content
    determination = response.json()["no_harm_determination"]
    assert determination["by"] == "leo_legal" and determination["reason"].startswith("Sent to one vetted")
    event = incident.audit_events.get(action="incident.no_harm_determined")
    assert event.actor_name == "leo_legal"
    incident.refresh_from_db()
    facts = incident_engine_facts(incident)
    assert facts.no_harm_determination.by == "leo_legal"
    # The GDPR has no no-harm harbour: the determination is recorded, never read into a law that lacks one.
    applying = incident.obligations.filter(applies=True).values_list("jurisdiction", flat=True)
    assert "EU" in set(applying)


def test_a_no_harm_determination_is_withdrawn_by_legal(api_as, legal, incident):
    client = api_as(legal)
    client.put(f"/api/incidents/{incident.ref}/no-harm-determination/", {"reason": "Deleted unread."}, format="json")
    response = client.delete(f"/api/incidents/{incident.ref}/no-harm-determination/")
    assert response.status_code == 200
    assert response.json()["no_harm_determination"] is None
    assert incident.audit_events.filter(action="incident.no_harm_withdrawn").count() == 1


def test_a_responder_cannot_record_a_no_harm_determination(api_as, responder, incident):
    response = api_as(responder).put(
        f"/api/incidents/{incident.ref}/no-harm-determination/", {"reason": "Looks harmless."}, format="json"
    )
    assert response.status_code == 403
    assert not incident.audit_events.filter(action="incident.no_harm_determined").exists()


def test_a_no_harm_determination_without_a_reason_answers_400_naming_the_field(api_as, legal, incident):
    response = api_as(legal).put(
        f"/api/incidents/{incident.ref}/no-harm-determination/", {"reason": "  "}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()


def test_redacted_is_an_editable_fact_in_the_planner_shape(api_as, responder, incident):
    response = api_as(responder).patch(f"/api/incidents/{incident.ref}/", {"redacted": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["redacted"] is True
    event = incident.audit_events.get(action="incident.edited")
    assert event.payload["changes"]["redacted"] == [False, True]


def test_a_naive_time_is_refused_everywhere_the_api_takes_a_time(api_as, responder, legal, incident):
    response = api_as(responder).patch(f"/api/incidents/{incident.ref}/", {"aware_at": "2026-03-28T10:00"},
                                       format="json")
    assert response.status_code == 400 and "aware_at" in response.json()
    duty = incident.obligations.first()
    response = api_as(legal).post(f"/api/obligations/{duty.pk}/met/", {"met_at": "2026-03-28T10:00"}, format="json")
    assert response.status_code == 400 and "met_at" in response.json()
    response = api_as(legal).post(f"/api/incidents/{incident.ref}/law-enforcement-delays/", {
        "agency": "FBI", "form": "written", "statement": "x", "starts_at": "2026-03-28T10:00:00Z",
        "ends_at": "2026-04-28T10:00"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["ends_at"]
    incident.refresh_from_db()
    assert incident.aware_at.isoformat() == "2026-03-27T09:00:00+00:00"
    assert not incident.law_enforcement_delays.exists()


def test_met_takes_the_authoritys_reference(api_as, legal, incident):
    duty = incident.obligations.get(jurisdiction="EU", audience="regulator")
    response = api_as(legal).post(f"/api/obligations/{duty.pk}/met/", {
        "met_at": "2026-03-28T10:00:00+01:00", "reference": "BfDI-2026-1"}, format="json")
    assert response.status_code == 200
    assert response.json()["met_reference"] == "BfDI-2026-1"
