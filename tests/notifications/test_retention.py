"""Contact details are erased after the retention period, unless legal holds them; the evidence stays."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents import services
from incidents.models import IncidentState, OrganisationProfile
from notifications.delivery import evidence, sending
from notifications.models import Delivery, Recipient
from notifications.recipients.retention import contacts_purge_due
from notifications.tasks import contacts_purge
from tests.notifications.delivery_helpers import approved_notice, people

# Sending refuses a channel that cannot send; these tests need every channel configured.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("channels_configured")]


@pytest.fixture
def closed_with_deliveries(incident, legal):
    people(incident, 3)
    notice = approved_notice(incident)
    sending.notice_send(actor=legal, notice=notice)
    type(incident).objects.filter(pk=incident.pk).update(
        state=IncidentState.CLOSED, closed_at=timezone.now() - timedelta(days=91))
    incident.refresh_from_db()
    return incident, notice


def test_contacts_are_erased_after_the_retention_and_the_evidence_still_balances(closed_with_deliveries, legal):
    incident, notice = closed_with_deliveries
    before = list(Recipient.objects.filter(incident=incident).values_list("email_hash", flat=True))
    deliveries = Delivery.objects.filter(notice=notice).count()

    assert contacts_purge() == {incident.ref: 3}

    for person in Recipient.objects.filter(incident=incident):
        assert person.contact_sealed == ""
        assert person.contact == {} and person.name == "" and person.email == ""
    assert list(Recipient.objects.filter(incident=incident).values_list("email_hash", flat=True)) == before
    rows = list(csv.DictReader(io.StringIO("".join(evidence.deliveries_csv_rows(notice=notice)))))
    assert len(rows) == deliveries == Delivery.objects.filter(notice=notice).count()
    purged = incident.audit_events.get(action="recipients.contacts_purged")
    assert purged.payload == {"people": 3, "retention_days": 90}
    incident.refresh_from_db()
    assert incident.contacts_purged_at is not None
    assert contacts_purge() == {}


def test_a_legal_hold_stops_the_purge_until_released(closed_with_deliveries, legal, responder):
    incident, _ = closed_with_deliveries
    with pytest.raises(Exception, match="permission"):
        services.incident_legal_hold_place(actor=responder, incident=incident, reason="Litigation")
    services.incident_legal_hold_place(actor=legal, incident=incident, reason="Regulator inquiry 2026/17")
    assert contacts_purge_due(actor=None, now=timezone.now()) == {}
    assert Recipient.objects.filter(incident=incident).exclude(contact_sealed="").count() == 3
    services.incident_legal_hold_release(actor=legal, incident=incident)
    assert contacts_purge_due(actor=None, now=timezone.now()) == {incident.ref: 3}
    actions = list(incident.audit_events.values_list("action", flat=True))
    assert actions[-3:] == ["incident.legal_hold_placed", "incident.legal_hold_released", "recipients.contacts_purged"]


def test_nothing_is_erased_within_the_retention_or_while_the_incident_is_open(incident, legal):
    people(incident, 2)
    assert contacts_purge_due(actor=None, now=timezone.now()) == {}
    OrganisationProfile.objects.update_or_create(pk=1, defaults={"legal_name": "Example", "dpo_name": "D",
                                                                 "dpo_email": "dpo@example.com",
                                                                 "contact_retention_days": 30})
    type(incident).objects.filter(pk=incident.pk).update(
        state=IncidentState.CLOSED, closed_at=timezone.now() - timedelta(days=29))
    assert contacts_purge_due(actor=None, now=timezone.now()) == {}
    assert contacts_purge_due(actor=None, now=timezone.now() + timedelta(days=2)) == {incident.ref: 2}


def test_the_command_has_a_dry_run(closed_with_deliveries):
    incident, _ = closed_with_deliveries
    out = io.StringIO()
    call_command("purge_contacts", "--dry-run", stdout=out)
    assert f"would purge {incident.ref} (3 people)" in out.getvalue()
    assert Recipient.objects.filter(incident=incident).exclude(contact_sealed="").count() == 3
    call_command("purge_contacts", stdout=out)
    assert f"purged {incident.ref}: 3 people" in out.getvalue()


def test_legal_places_and_releases_a_hold_in_the_page(client, legal, responder, incident):
    client.force_login(responder)
    page = client.get(f"/incidents/{incident.ref}/").content.decode()
    assert "Erased 90 days after the incident is closed" in page and "Place a legal hold" not in page
    client.force_login(legal)
    page = client.post(f"/incidents/{incident.ref}/legal-hold/", {"hold-reason": "Regulator inquiry 2026/17"},
                       follow=True).content.decode()
    assert "Legal hold placed" in page and "Regulator inquiry 2026/17" in page
    page = client.post(f"/incidents/{incident.ref}/legal-hold/release/", follow=True).content.decode()
    assert "Legal hold released" in page
    incident.refresh_from_db()
    assert incident.legal_hold_at is None
