"""The OpenAPI schema says what the API answers: lists as the arrays or pages they are, times that may be
missing as nullable, and the error answers each operation can give. ``make schemathesis`` checks every
answer against it on a live server; these pin what it found."""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return yaml.safe_load(client.get("/api/schema/").content)


def _ok(schema, path, method="get") -> dict:
    return schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]


def test_lists_are_documented_as_the_arrays_or_pages_they_are(schema):
    for path in ("/api/incidents/{ref}/notices/", "/api/notices/{id}/versions/", "/api/notices/{id}/submissions/",
                 "/api/incidents/{ref}/obligations/"):
        assert _ok(schema, path)["type"] == "array", path
    page = schema["components"]["schemas"]["PaginatedIncidentList"]
    assert {"count", "next", "previous", "results"} <= set(page["properties"])


def test_times_an_obligation_may_not_have_yet_are_nullable(schema, api_as, legal, incident):
    fields = schema["components"]["schemas"]["Obligation"]["properties"]
    for name in ("clock_started_at", "clock_asserted_at", "due_at", "met_at"):
        assert fields[name]["nullable"] is True, name
    obligations = api_as(legal).get(f"/api/incidents/{incident.ref}/obligations/").json()
    assert any(obligation["met_at"] is None for obligation in obligations)


def test_each_operation_documents_its_error_answers(schema):
    approve = schema["paths"]["/api/notices/{id}/transitions/{name}/"]["post"]["responses"]
    assert {"400", "401", "403", "404", "409", "415"} <= set(approve)
    assert approve["403"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    token = schema["paths"]["/api/auth/token/"]["post"]["responses"]
    assert {"400", "401", "429"} <= set(token) and "403" not in token
    listing = schema["paths"]["/api/incidents/"]["get"]["responses"]
    assert {"400", "401", "403"} <= set(listing) and "404" not in listing and "409" not in listing


def test_an_error_answers_json_even_where_csv_or_pdf_was_asked_for(client, api_as, legal):
    """Schemathesis: a 401 for ``deliveries.csv?format=csv`` came back as text/csv."""
    for path in ("/api/notices/0/deliveries.csv?format=csv", "/api/notices/0/letters.pdf?format=pdf"):
        answer = client.get(path)
        assert (answer.status_code, answer["Content-Type"]) == (401, "application/json"), path
        assert answer.json()["detail"] == "Authentication credentials were not provided."
    missing = api_as(legal).get("/api/notices/0/letters.csv?format=csv")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/json")


def test_an_unknown_format_is_a_400_naming_it(api_as, legal):
    """Schemathesis: ``/api/register/?format=AAA`` answered an undocumented 404."""
    answer = api_as(legal).get("/api/register/?format=AAA")
    assert answer.status_code == 400
    assert answer.json() == {"format": ["Unknown format 'AAA': use one of csv, json."]}
