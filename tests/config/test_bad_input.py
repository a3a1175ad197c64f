"""Bad input is refused with 400 (or 404/415) naming what is wrong, never a 500, and never changes anything."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

AWARE = {"aware_at": "2026-03-27T09:00:00Z", "occurred_at": "2026-03-26T22:00:00Z"}


def test_an_unknown_path_under_the_api_answers_json_404(api_as, responder):
    for path in ("/api/notices/abc/", "/api/no-such-thing/", "/api/incidents/INC-9999-0001/"):
        answer = api_as(responder).get(path)
        assert answer.status_code == 404, path
        assert answer["Content-Type"] == "application/json"


def test_a_non_integer_id_under_the_api_answers_json_404_with_debug_on_too(settings, api_as, responder):
    settings.DEBUG = True
    for path in ("/api/notices/abc/", "/api/obligations/1.5/met/", "/api/notices/%00/versions/"):
        for answer in (api_as(responder).get(path), Client(enforce_csrf_checks=True).post(path)):
            assert answer.status_code == 404, path
            assert answer.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_form_encoded_patch_is_refused_with_415_and_changes_nothing(api_as, responder, incident):
    answer = api_as(responder).patch(
        f"/api/incidents/{incident.ref}/", "affected=", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 415
    incident.refresh_from_db()
    assert incident.affected_counts() == {"DE": 1200, "US-CA": 501}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"affected": {"DE": 2**31}}, "affected"),
        ({"affected": {"DE": -1}}, "affected"),
        ({"aware_at": "9999-01-01T00:00:00Z", "occurred_at": "2026-03-26T22:00:00Z"}, "aware_at"),
        ({"aware_at": "2026-03-27T09:00:00", "occurred_at": "2026-03-26T22:00:00Z"}, "aware_at"),
    ],
)
def test_an_out_of_range_value_is_refused_naming_the_field(api_as, responder, body, field):
    answer = api_as(responder).post("/api/incidents/", {"title": "Typo", **AWARE, **body}, format="json")
    assert answer.status_code == 400
    assert field in answer.json()


def test_json_nested_too_deep_is_refused_with_400(api_as, responder):
    deep = "[" * 100_000 + "]" * 100_000
    answer = api_as(responder).generic(
        "POST", "/api/incidents/", f'{{"title": {deep}}}', content_type="application/json"
    )
    assert answer.status_code == 400
    assert answer.json()["code"] in {"bad_input", "parse_error"}


def test_a_huge_limit_is_capped_not_a_500(api_as, responder, incident):
    answer = api_as(responder).get("/api/incidents/?limit=9223372036854775808&offset=9223372036854775808")
    assert answer.status_code == 200
    assert json.loads(answer.content)["results"] == []


def test_a_well_formed_time_with_an_impossible_minute_is_a_400_naming_the_field(api_as, responder):
    """Schemathesis: ``2026-03-27T10:61:00Z`` made Django's parser raise ValueError, answered 500."""
    answer = api_as(responder).post("/api/incidents/", {
        "title": "Minute 61", "aware_at": "2026-03-27T10:61:00Z", "occurred_at": "2026-03-26T22:00:00Z",
        "affected": {"DE": 1}, "data_categories": ["name"]})
    assert answer.status_code == 400
    assert list(answer.json()) == ["aware_at"]


def test_a_measure_at_an_impossible_minute_is_a_400_naming_measures(api_as, responder, incident):
    answer = api_as(responder).patch(f"/api/incidents/{incident.ref}/", {
        "measures": [{"at": "2026-03-27T10:61:00Z", "text": "Backup closed."}]})
    assert answer.status_code == 400
    assert list(answer.json()) == ["measures"]
