"""The breach register: every real incident, not-notifiable ones with the reason, drills never; CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from incidents import obligations, services

pytestmark = pytest.mark.django_db

ASSESSMENT = {"ease_of_identification": "limited", "confidentiality": "limited", "integrity": "none",
              "availability": "none", "malicious": False}


def closed_not_notifiable(responder, legal, due_in, *, title: str = "Misdirected e-mail"):
    incident = due_in(responder, timedelta(hours=60), title=title)
    services.incident_transition(actor=responder, incident=incident, name="contain",
                                 reason="=HYPERLINK(\"http://evil\") recalled the message")
    services.risk_assessment_update(actor=responder, incident=incident, assessment=ASSESSMENT,
                                    risk_override="", override_reason="")
    services.incident_transition(actor=responder, incident=incident, name="assess")
    for duty in incident.obligations.filter(applies=True):  # a low risk leaves only duties without a risk test
        obligations.obligation_exempt(actor=legal, obligation=duty, reason="One recipient, deleted unread")
    services.incident_transition(actor=legal, incident=incident, name="close",
                                 reason="One colleague received it and deleted it unread: unlikely to result in a risk")
    return incident


def test_the_register_keeps_a_not_notifiable_incident_with_its_reason_and_decisions_but_no_drill(
        api_as, responder, legal, admin_user, due_in):
    incident = closed_not_notifiable(responder, legal, due_in)
    due_in(responder, timedelta(hours=5), is_drill=True, title="Tabletop")
    body = api_as(legal).get("/api/register/?format=json")
    assert body.status_code == 200
    [entry] = body.json()["register"]
    assert entry["ref"] == incident.ref and entry["state"] == "closed"
    assert entry["not_notifiable_reason"].startswith("One colleague received it")
    assert entry["remedial_action"].startswith("=HYPERLINK")
    decisions = [(d["decision"], d["by"]) for d in entry["decisions"]]
    assert ("incident.close", legal.username) in decisions and ("risk.assessed", responder.username) in decisions
    assert entry["notification_owed"] is False
    assert {(d["jurisdiction"], d["audience"], d["applies"]) for d in entry["duties"]} >= {("EU", "regulator", False)}
    assert all(d["trace"] for d in entry["duties"])


def test_the_csv_export_neutralises_formulas_and_has_one_row_per_incident(api_as, responder, legal, due_in):
    incident = closed_not_notifiable(responder, legal, due_in)
    response = api_as(legal).get("/api/register/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["ref"] for row in rows] == [incident.ref]
    assert rows[0]["remedial_action"].startswith("'=HYPERLINK")
    assert rows[0]["notification_owed"] == "false" and rows[0]["not_notifiable_reason"].startswith("One colleague")


def test_the_register_filters_and_an_outsider_is_refused(api_as, client, responder, legal, outsider, due_in):
    closed = closed_not_notifiable(responder, legal, due_in)
    open_one = due_in(responder, timedelta(hours=10), title="Lost laptop")
    def refs(query: str) -> list[str]:
        return sorted(entry["ref"] for entry in api_as(legal).get(f"/api/register/?{query}").json()["register"])

    assert refs("not_notifiable=true") == [closed.ref]
    assert refs("q=laptop") == [open_one.ref]
    assert refs("jurisdiction=DE") == sorted([open_one.ref, closed.ref])
    assert refs("jurisdiction=FR") == []
    assert api_as(outsider).get("/api/register/").status_code == 403
    client.force_login(legal)
    html = client.get(reverse("register") + "?not_notifiable=on").content.decode()
    assert closed.ref in html and open_one.ref not in html and "Not notifiable because" in html


def test_register_export_command_writes_csv_and_json(tmp_path, responder, legal, admin_user, due_in):
    incident = closed_not_notifiable(responder, legal, due_in)
    target = tmp_path / "register.csv"
    call_command("register_export", "--format", "csv", "--as", legal.username, "--output", str(target))
    assert incident.ref in target.read_text()
    out = io.StringIO()
    call_command("register_export", "--user", legal.username, stdout=out)
    assert json.loads(out.getvalue())["register"][0]["ref"] == incident.ref
