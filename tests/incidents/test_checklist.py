"""The emergency plan: an incident of a type gets its checklist, and contain waits for every item."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from incidents import checklist, services
from incidents.errors import Conflict
from incidents.models import AuditEvent, IncidentType

pytestmark = pytest.mark.django_db


def _lost_laptop(responder):
    return services.incident_create(
        actor=responder, title="Laptop left on a train", aware_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
        affected={"DE": 40}, data_categories=["name"], incident_type=IncidentType.objects.get(code="lost_device"),
        containment_summary="Device wiped remotely.",
    )


def test_the_seeded_types_carry_sensible_plans():
    plans = {kind.code: [item.text for item in kind.template_items.all()] for kind in IncidentType.objects.all()}
    assert set(plans) == {"unauthorised_access", "lost_device", "misdirected_email", "ransomware"}
    assert any("Revoke" in text for text in plans["unauthorised_access"])
    assert any("Isolate" in text for text in plans["ransomware"])
    assert any("insurer" in text for text in plans["ransomware"])
    assert any("data protection officer" in text for text in plans["misdirected_email"])


def test_contain_is_refused_while_items_are_left_and_the_message_lists_them(responder):
    incident = _lost_laptop(responder)
    items = list(incident.checklist_items.order_by("position"))
    assert [item.owner for item in items] == [responder] * len(items)
    for item in items[:-2]:
        checklist.checklist_item_done(actor=responder, item=item)
    checklist.checklist_item_waive(actor=responder, item=items[-2], reason="No cyber policy")
    with pytest.raises(Conflict) as refused:
        services.incident_transition(actor=responder, incident=incident, name="contain")
    assert "Still to do: Notify the insurer under the cyber policy." in str(refused.value)
    assert "Wipe or lock" not in str(refused.value)
    checklist.checklist_item_waive(actor=responder, item=items[-1], reason="No insurer")
    assert services.incident_transition(actor=responder, incident=incident, name="contain").state == "contained"
    actions = list(AuditEvent.objects.filter(incident=incident, action__startswith="checklist.")
                   .values_list("action", flat=True))
    assert actions.count("checklist.done") == len(items) - 2 and actions.count("checklist.waived") == 2


def test_a_waiver_needs_a_reason_and_an_outsider_cannot_tick_items(responder, outsider):
    incident = _lost_laptop(responder)
    item = incident.checklist_items.first()
    with pytest.raises(Exception, match="reason"):
        checklist.checklist_item_waive(actor=responder, item=item, reason=" ")
    with pytest.raises(Exception, match="may not"):
        checklist.checklist_item_done(actor=outsider, item=item)


def test_the_checklist_page_marks_done_waives_and_assigns(client, responder, legal):
    incident = _lost_laptop(responder)
    first, second = incident.checklist_items.order_by("position")[:2]
    client.force_login(responder)
    client.post(reverse("checklist-item", args=[incident.ref, first.pk, "done"]))
    client.post(reverse("checklist-item", args=[incident.ref, second.pk, "waive"]),
                {f"waive-{second.pk}-reason": "The device was encrypted and off"})
    client.post(reverse("checklist-item", args=[incident.ref, second.pk, "assign"]), {f"assign-{second.pk}-owner": legal.pk})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.done_by == responder and first.done_at
    assert second.waiver_reason == "The device was encrypted and off" and second.owner == legal
    html = client.get(reverse("incident-checklist", args=[incident.ref])).content.decode()
    assert "Waived: The device was encrypted and off" in html and "Report the theft" in html
