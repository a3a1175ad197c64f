"""Substitute notice from the sending page: publish, withdraw, publish again; a refusal names the real
condition that is not met."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.audit import AuditEvent
from notifications.delivery import sending
from notifications.models import NoticeAnnouncement
from tests.notifications.delivery_helpers import approved_notice, people, person

pytestmark = pytest.mark.usefixtures("channels_configured")


@pytest.fixture
def notice(incident):
    return approved_notice(incident)


def _change(client, notice, action, reason=""):
    url = reverse("notifications:notice-announcement-change", args=[notice.pk, action])
    return client.post(url, {"reason": reason}, follow=True).content.decode()


def test_legal_publishes_and_withdraws_the_announcement_from_the_page(client, legal, incident, notice):
    people(incident, 1)
    person(incident, "nobody").save()
    sending.notice_send(actor=legal, notice=notice)
    client.force_login(legal)

    published = _change(client, notice, "publish")
    announcement = NoticeAnnouncement.objects.get(notice=notice)
    public = reverse("notifications:notice-announcement", args=[announcement.slug])
    assert "Announcement published." in published and public in published
    assert client.get(public).status_code == 200

    withdrawn = _change(client, notice, "withdraw", "Everyone was finally reached by post.")
    assert "Announcement withdrawn." in withdrawn and "Everyone was finally reached by post." in withdrawn
    assert client.get(public).status_code == 404
    _change(client, notice, "publish")
    assert client.get(public).status_code == 200
    assert [event.action for event in AuditEvent.objects.filter(action__startswith="notice.announcement_")] == [
        "notice.announcement_published", "notice.announcement_withdrawn", "notice.announcement_published"]


def test_the_refusal_names_the_condition_that_is_not_met(client, legal, incident, notice):
    people(incident, 2)
    client.force_login(legal)
    sending.notice_send(actor=legal, notice=notice)
    refused = _change(client, notice, "publish")
    assert "Everyone was reached: substitute notice is only for people no channel could reach." in refused
    assert not NoticeAnnouncement.objects.exists()


def test_a_judgement_needs_its_reason_and_the_refusal_quotes_the_rule(client, legal, incident, notice):
    person(incident, "de-nobody", jurisdiction="DE").save()
    sending.notice_send(actor=legal, notice=notice)
    client.force_login(legal)
    refused = _change(client, notice, "publish")
    assert "Say why the rule&#x27;s condition is met (it is a judgement): DE:" in refused
    assert "Announcement published." in _change(client, notice, "publish", "No contact data for 40% of people.")
