"""The personal page shows the person's approved notice, in their language, and records the first opening."""

from __future__ import annotations

import pytest
from django.test import Client

from incidents.models import AuditEvent
from notifications.models import Delivery, Recipient
from tests.notifications.conftest import CAUSE, approved


def person(incident, external_id: str, *, jurisdiction: str, language: str = "en") -> Recipient:
    recipient = Recipient(incident=incident, external_id=external_id, jurisdiction=jurisdiction, language=language)
    recipient.set_contact(name=f"Person {external_id}", email=f"{external_id}@example.org")
    recipient.save()
    return recipient


@pytest.fixture
def approved_notice(individual_notice, responder, legal):
    return approved(individual_notice, responder, legal)


def open_page(recipient: Recipient):
    return Client().get(f"/n/{recipient.personal_token}/")


def test_the_page_shows_the_approved_notice_in_the_persons_language(approved_notice, assessed_incident):
    wen = person(assessed_incident, "wen", jurisdiction="CN", language="zh-hans")
    body = open_page(wen).content.decode()
    assert CAUSE["zh-hans"] in body
    assert '<html lang="zh-hans">' in body
    assert "Your notice is being prepared" not in body


def test_the_page_is_personalised_with_the_persons_name(approved_notice, assessed_incident):
    ada = person(assessed_incident, "ada", jurisdiction="DE")
    body = open_page(ada).content.decode()
    assert CAUSE["en"] in body
    assert "Person ada" in body
    assert "{{" not in body


def test_the_first_opening_records_read_at_and_is_audited_once(approved_notice, assessed_incident):
    ada = person(assessed_incident, "ada", jurisdiction="DE")
    open_page(ada)
    ada.refresh_from_db()
    first_read = ada.read_at
    assert first_read is not None

    open_page(ada)
    ada.refresh_from_db()
    assert ada.read_at == first_read
    events = AuditEvent.objects.filter(incident=assessed_incident, action="recipient.notice_opened")
    assert events.count() == 1
    assert events.get().payload == {"recipient": ada.pk, "notice_version": approved_notice.current_version.pk}


def test_a_person_outside_the_notices_jurisdictions_sees_that_it_is_being_prepared(approved_notice, assessed_incident):
    taro = person(assessed_incident, "taro", jurisdiction="JP")
    assert "Your notice is being prepared" in open_page(taro).content.decode()
    taro.refresh_from_db()
    assert taro.read_at is None


def test_a_draft_notice_is_never_shown(individual_notice, assessed_incident):
    ada = person(assessed_incident, "ada", jurisdiction="DE")
    assert "Your notice is being prepared" in open_page(ada).content.decode()


def test_the_version_delivered_to_the_person_is_shown_whatever_their_jurisdiction(
    approved_notice, assessed_incident
):
    taro = person(assessed_incident, "taro", jurisdiction="JP")
    version = approved_notice.current_version
    Delivery.objects.create(notice=approved_notice, version=version, recipient=taro, channel="email")
    assert CAUSE["en"] in open_page(taro).content.decode()
    event = AuditEvent.objects.get(incident=assessed_incident, action="recipient.notice_opened")
    assert event.payload["notice_version"] == version.pk
