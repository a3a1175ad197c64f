"""Calendar feeds: one event per open duty at its UTC deadline, alarms at the thresholds, a revoked token 404s."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from cockpit.calendar import calendar_feed_for
from incidents import obligations, services
from tests.cockpit.conftest import NOW

pytestmark = pytest.mark.django_db


def _events(body: bytes) -> dict[str, object]:
    return {str(event["uid"]): event for event in Calendar.from_ical(body).walk("VEVENT")}


def test_the_private_feed_has_one_event_per_open_duty_at_its_utc_deadline_with_alarms(client, responder, legal, due_in):
    with time_machine.travel(NOW - timedelta(hours=30), tick=False):
        incident = due_in(responder, timedelta(0), title="Wrong recipient")
        drill = due_in(responder, timedelta(hours=5), is_drill=True)
    duty = incident.obligations.get(jurisdiction="EU", audience="regulator")
    feed = calendar_feed_for(user=legal)
    response = client.get(reverse("calendar-feed", args=[feed.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    open_with_deadline = [row for row in (incident.obligations.all() | drill.obligations.all())
                          if row.applies and row.due_at and row.status in ("open", "overdue")]
    assert set(events) == {f"obligation-{row.pk}@breachline" for row in open_with_deadline}
    event = events[f"obligation-{duty.pk}@breachline"]
    assert event.decoded("dtstart") == datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    assert str(event["summary"]) == f"{incident.ref}: EU Regulator deadline"
    assert duty.authority in str(event["description"]) and duty.basis in str(event["description"])
    assert str(event["url"]).endswith(f"/incidents/{incident.ref}/")
    assert sorted(alarm.decoded("trigger") for alarm in event.walk("VALARM")) == [
        timedelta(hours=-24), timedelta(hours=-6), timedelta(hours=-1)]
    assert int(event["sequence"]) == 0
    drill_events = [e for uid, e in events.items() if uid.split("-")[1].split("@")[0] in
                    {str(pk) for pk in drill.obligations.values_list("pk", flat=True)}]
    assert drill_events and all(str(e["summary"]).startswith("[DRILL] ") for e in drill_events)


def test_a_moved_deadline_keeps_its_uid_and_increments_its_sequence_and_a_met_one_leaves(responder, legal, due_in,
                                                                                          client):
    incident = due_in(responder, timedelta(hours=30))
    duty = incident.obligations.get(jurisdiction="EU", audience="regulator")
    services.incident_update(actor=responder, incident=incident, aware_at=incident.aware_at + timedelta(hours=2))
    client.force_login(legal)
    event = _events(client.get(reverse("incident-calendar", args=[incident.ref])).content)[
        f"obligation-{duty.pk}@breachline"]
    assert int(event["sequence"]) == 1
    assert event.decoded("dtstart") == NOW + timedelta(hours=32)
    obligations.obligation_mark_met(actor=legal, obligation=duty, met_at=NOW)
    body = client.get(reverse("incident-calendar", args=[incident.ref])).content
    assert f"obligation-{duty.pk}@breachline" not in _events(body)


def test_a_revoked_token_answers_404_and_the_new_one_works(client, legal):
    old = calendar_feed_for(user=legal)
    client.force_login(legal)
    page = client.get(reverse("calendar")).content.decode()
    assert old.token in page
    client.post(reverse("calendar"))
    client.logout()
    assert client.get(reverse("calendar-feed", args=[old.token])).status_code == 404
    assert client.get(reverse("calendar-feed", args=["not-a-token"])).status_code == 404
    new = calendar_feed_for(user=legal)
    assert new.token != old.token
    assert client.get(reverse("calendar-feed", args=[new.token])).status_code == 200


def test_the_timeline_puts_awareness_deadlines_and_steps_on_one_axis(client, responder, due_in):
    with time_machine.travel(NOW - timedelta(hours=30), tick=False):
        incident = due_in(responder, timedelta(0))
        services.incident_transition(actor=responder, incident=incident, name="contain", reason="Mail recalled")
    client.force_login(responder)
    html = client.get(reverse("incident-timeline", args=[incident.ref])).content.decode()
    body = html.split('id="timeline"', 1)[1]
    aware, created, contained = (body.index("Became aware"), body.index("Incident created"), body.index("Contained"))
    deadline = body.index("Deadline: EU")
    assert aware < created < contained < deadline
    assert "Mail recalled" in body and "UTC" in body
