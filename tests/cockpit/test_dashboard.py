"""The dashboard: open incidents by nearest deadline with countdowns, counters, filters and each person's work."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from incidents import services
from incidents.models import AuditEvent, Incident, Obligation
from tests.cockpit.conftest import NOW

pytestmark = pytest.mark.django_db


def _refs(html: str) -> list[str]:
    return re.findall(r'data-ref="([^"]+)"', html)


def _row(html: str, ref: str) -> str:
    return html.split(f'data-ref="{ref}"', 1)[1].split("</tr>", 1)[0]


def test_open_incidents_come_nearest_deadline_first_with_countdown_urgency_and_next_step(client, responder, due_in):
    with time_machine.travel(NOW, tick=False):
        later = due_in(responder, timedelta(days=2), title="Later")
        amber = due_in(responder, timedelta(hours=20), title="Amber")
        overdue = due_in(responder, -timedelta(minutes=40), title="Overdue")
        red = due_in(responder, timedelta(hours=3, minutes=12), title="Red")
        client.force_login(responder)
        html = client.get(reverse("dashboard")).content.decode()
    assert _refs(html) == [overdue.ref, red.ref, amber.ref, later.ref]
    assert "due-overdue" in _row(html, overdue.ref) and "overdue by 40 min" in _row(html, overdue.ref)
    assert "Overdue" in _row(html, overdue.ref)
    assert "due-red" in _row(html, red.ref) and "3 h 12 min left" in _row(html, red.ref)
    assert "Due within 6 hours" in _row(html, red.ref)
    assert "due-amber" in _row(html, amber.ref) and "Due within 24 hours" in _row(html, amber.ref)
    assert "due-later" in _row(html, later.ref) and "2 d 0 h left" in _row(html, later.ref)
    assert "A containment summary is required" in _row(html, red.ref)


def test_the_home_page_after_login_is_the_dashboard(client, responder):
    response = client.post(reverse("login"), {"username": responder.username,
                                              "password": f"{responder.username}-password-123"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "open-incidents" in client.get("/").content.decode()


def test_a_new_incident_is_owned_by_its_creator_and_another_person_can_take_it_on_its_page(
        client, responder, legal, due_in):
    incident = due_in(responder, timedelta(hours=30))
    assert incident.owner == responder
    client.force_login(legal)
    response = client.post(reverse("incident-owner", args=[incident.ref]), {"owner": legal.pk})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.owner == legal
    event = AuditEvent.objects.filter(incident=incident, action="incident.owner_changed").get()
    assert event.payload == {"from": responder.username, "to": legal.username}


def test_an_outsider_cannot_own_an_incident(client, responder, outsider, due_in):
    incident = due_in(responder, timedelta(hours=30))
    client.force_login(responder)
    response = client.post(reverse("incident-owner", args=[incident.ref]), {"owner": outsider.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    incident.refresh_from_db()
    assert incident.owner == responder


def test_counters_count_overdue_and_24_hour_duties_but_leave_drills_out(client, responder, due_in):
    with time_machine.travel(NOW, tick=False):
        due_in(responder, -timedelta(hours=1))
        due_in(responder, timedelta(hours=5))
        due_in(responder, -timedelta(hours=1), is_drill=True, title="Tabletop")
        client.force_login(responder)
        html = client.get(reverse("dashboard")).content.decode()
    counters = html.split('class="counters"', 1)[1].split("</ul>", 1)[0]
    assert re.findall(r"<strong>(\d+)</strong>", counters) == ["1", "1", "0", "0"]
    assert "DRILL" in html


def test_filters_by_text_owner_jurisdiction_and_overdue_are_kept_in_the_url(client, responder, legal, due_in):
    with time_machine.travel(NOW, tick=False):
        mine = due_in(responder, -timedelta(hours=1), title="Lost laptop")
        theirs = due_in(responder, timedelta(hours=5), title="Wrong recipient")
        services.incident_owner_set(actor=responder, incident=theirs, owner=legal)
        client.force_login(responder)
        assert _refs(client.get("/?q=laptop").content.decode()) == [mine.ref]
        assert _refs(client.get(f"/?q={theirs.ref}").content.decode()) == [theirs.ref]
        assert _refs(client.get(f"/?owner={legal.pk}").content.decode()) == [theirs.ref]
        assert _refs(client.get("/?overdue=on").content.decode()) == [mine.ref]
        assert _refs(client.get("/?jurisdiction=EU").content.decode()) == [mine.ref, theirs.ref]
        assert _refs(client.get("/?state=closed").content.decode()) == []


def test_legal_sees_the_duties_waiting_on_legal_and_a_responder_the_incidents_they_own(
        client, responder, legal, due_in):
    incident = due_in(responder, timedelta(hours=30))
    client.force_login(responder)
    work = client.get("/").content.decode().split('id="my-work"', 1)[1]
    assert incident.ref in work and "Duties waiting on legal" not in work
    client.force_login(legal)
    assert "Duties waiting on legal" in client.get("/").content.decode()


def test_an_htmx_refresh_gets_only_the_live_part(client, responder, due_in):
    due_in(responder, timedelta(hours=30))
    client.force_login(responder)
    html = client.get("/", headers={"HX-Request": "true"}).content.decode()
    assert html.startswith('<div id="live"') and "<html" not in html


def _copies(incident: Incident, count: int) -> None:
    """Copy an incident and its obligations ``count`` times (row copies: the engine is not what is measured)."""
    duties = list(incident.obligations.all())
    for number in range(count):
        copy = Incident.objects.get(pk=incident.pk)
        copy.pk, copy.ref = None, f"INC-2026-{number + 1000:04d}"
        copy.save()
        for duty in duties:
            duty.pk, duty.incident = None, copy
        Obligation.objects.bulk_create(duties)


@pytest.mark.parametrize("incidents", [1, 200])
def test_the_dashboard_takes_the_same_few_queries_for_1_and_200_incidents(
        client, responder, due_in, incidents, django_assert_max_num_queries):
    incident = due_in(responder, timedelta(hours=30))
    _copies(incident, incidents - 1)
    client.force_login(responder)
    with django_assert_max_num_queries(17):
        response = client.get("/")
    assert len(_refs(response.content.decode())) == min(incidents, 50)
