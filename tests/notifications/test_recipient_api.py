"""The recipients API: upload with permissions, listing with counts and role-dependent contact details."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import AffectedPopulation
from notifications.models.recipient import Recipient

CSV = (
    "external_id,name,email,phone,jurisdiction\n"
    "c-1,Ada,ada@example.org,,DE\n"
    "c-2,Bob,bad-mail,+4915112345678,DE\n"
    "c-3,Cy,,,US-CA\n"
)


def upload(client, incident, content: str = CSV, name: str = "people.csv"):
    return client.post(
        f"/api/incidents/{incident.ref}/recipients/import/",
        {"file": SimpleUploadedFile(name, content.encode("utf-8"), content_type="text/csv")},
        format="multipart",
    )


def test_a_responder_uploads_a_file_and_gets_the_summary_and_rejects(api_as, responder, incident):
    response = upload(api_as(responder), incident)
    assert response.status_code == 201
    body = response.json()
    assert (body["imported"], body["rejected"], body["kept_with_warnings"]) == (2, 1, 1)
    assert body["per_jurisdiction"] == {"DE": 2}
    assert body["rejects_csv"].splitlines() == [
        "row,external_id,outcome,reason",
        "2,c-2,kept,email: invalid e-mail address (dropped)",
        '3,c-3,rejected,"no usable contact method (e-mail, phone, push or postal address)"',
    ]
    assert AffectedPopulation.objects.get(incident=incident, jurisdiction="DE").identified_count == 2


def test_legal_and_admins_may_upload(api_as, legal, admin_user, incident):
    assert upload(api_as(legal), incident).status_code == 201
    assert upload(api_as(admin_user), incident, CSV.replace("c-", "d-").replace("ada@", "ada2@").replace(
        "+4915112345678", "+4915112345679")).status_code == 201


def test_an_outsider_gets_403_and_nothing_is_imported(api_as, outsider, incident):
    assert upload(api_as(outsider), incident).status_code == 403
    assert not Recipient.objects.exists()


def test_unknown_columns_answer_400_naming_them(api_as, responder, incident):
    response = upload(api_as(responder), incident, "external_id,jurisdiction,favourite_colour\nc-1,DE,red\n")
    assert response.status_code == 400
    assert "favourite_colour" in response.json()["file"][0]


def test_a_file_with_no_good_row_answers_200_with_zero_imported(api_as, responder, incident):
    response = upload(api_as(responder), incident, "external_id,jurisdiction\nc-1,DE\n")
    assert response.status_code == 200
    assert response.json()["imported"] == 0


def test_json_lines_upload(api_as, responder, incident):
    response = upload(
        api_as(responder), incident, '{"external_id": "j-1", "email": "j@example.org", "jurisdiction": "DE"}\n',
        name="people.jsonl",
    )
    assert response.json()["imported"] == 1


def test_the_list_shows_declared_and_identified_counts(api_as, responder, incident):
    upload(api_as(responder), incident)
    body = api_as(responder).get(f"/api/incidents/{incident.ref}/recipients/").json()
    assert {row["jurisdiction"]: (row["declared"], row["identified"], row["count"]) for row in body["populations"]} == {
        "DE": (1200, 2, 1200), "US-CA": (501, 0, 501),
    }
    assert body["count"] == 2


def test_responders_see_channels_but_no_contact_details(api_as, responder, incident):
    upload(api_as(responder), incident)
    person = api_as(responder).get(f"/api/incidents/{incident.ref}/recipients/").json()["results"][0]
    assert person["external_id"] == "c-1"
    assert person["channels"] == ["email"]
    assert "email" not in person and "name" not in person
    assert "personal_token" not in person


def test_legal_sees_contact_details(api_as, responder, legal, incident):
    upload(api_as(responder), incident)
    answer = api_as(legal).get(f"/api/incidents/{incident.ref}/recipients/").json()
    person = answer["results"][0]
    assert (person["name"], person["email"]) == ("Ada", "ada@example.org")
    assert "personal_token" not in person
    exported = incident.audit_events.get(action="personal_data.exported")
    assert exported.actor == legal
    assert (exported.payload["export"], exported.payload["rows"]) == ("recipients", len(answer["results"]))


def test_listing_without_contact_details_is_not_an_export(api_as, responder, incident):
    upload(api_as(responder), incident)
    api_as(responder).get(f"/api/incidents/{incident.ref}/recipients/")
    assert not incident.audit_events.filter(action="personal_data.exported").exists()


def test_an_outsider_cannot_list_people(api_as, outsider, incident):
    assert api_as(outsider).get(f"/api/incidents/{incident.ref}/recipients/").status_code == 403


def test_the_list_filters_by_jurisdiction(api_as, responder, incident):
    upload(api_as(responder), incident)
    body = api_as(responder).get(f"/api/incidents/{incident.ref}/recipients/?jurisdiction=us-ca").json()
    assert body["count"] == 0


def test_the_list_counts_people_from_the_tallies_without_reading_every_person(api_as, responder, incident):
    upload(api_as(responder), incident)
    client = api_as(responder)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/api/incidents/{incident.ref}/recipients/?limit=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    assert not [query["sql"] for query in queries.captured_queries
                if "COUNT(" in query["sql"].upper() and "notifications_recipient" in query["sql"]]
    assert client.get(f"/api/incidents/{incident.ref}/recipients/?jurisdiction=de").json()["count"] == 2
    assert client.get(f"/api/incidents/{incident.ref}/recipients/?jurisdiction=us-ca").json()["count"] == 0
