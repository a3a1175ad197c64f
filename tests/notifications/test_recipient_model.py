"""The Recipient model: decrypted accessors, channels per person, guardians, personal links, keyed hashes."""

from __future__ import annotations

import pytest
from django.db import connection

from notifications.models import crypto
from notifications.models.recipient import Recipient, email_hash


def make(incident, external_id="p-1", *, is_minor=False, **contact) -> Recipient:
    recipient = Recipient(incident=incident, external_id=external_id, jurisdiction="DE", is_minor=is_minor)
    recipient.set_contact(**contact)
    recipient.save()
    return Recipient.objects.get(pk=recipient.pk)


def test_contact_details_read_back_decrypted(incident):
    person = make(
        incident, name="Ada", email="ada@example.org", phone="+4915112345678", postal_address="Hauptstr. 1",
        fcm_token="fcm-1", webpush_subscription={"endpoint": "https://p.example/1", "keys": {"p256dh": "k", "auth": "a"}},
    )
    assert (person.name, person.email, person.phone, person.postal_address) == (
        "Ada", "ada@example.org", "+4915112345678", "Hauptstr. 1",
    )
    assert person.webpush_subscription["endpoint"] == "https://p.example/1"
    assert (person.has_email, person.has_sms, person.has_push, person.has_letter) == (True, True, True, True)


def test_no_raw_column_of_the_table_contains_the_email_or_phone(incident):
    person = make(incident, name="Ada Lovelace", email="ada@example.org", phone="+4915112345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notifications_recipient WHERE id = %s", [person.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert "ada@example.org" not in row
    assert "4915112345678" not in row
    assert "Lovelace" not in row


def test_contact_for_each_channel(incident):
    person = make(incident, email="ada@example.org", phone="+4915112345678", fcm_token="fcm-1")
    assert person.contact_for("email") == "ada@example.org"
    assert person.contact_for("sms") == "+4915112345678"
    assert person.contact_for("push") == "fcm-1"
    assert person.contact_for("letter") is None


def test_a_minor_is_reached_through_the_guardian_and_not_by_push(incident):
    child = make(
        incident, is_minor=True, email="kid@example.org", fcm_token="fcm-kid", guardian_email="parent@example.org",
        guardian_phone="+4915199999999",
    )
    assert child.contact_for("email") == "parent@example.org"
    assert child.contact_for("sms") == "+4915199999999"
    assert child.contact_for("push") is None
    assert (child.has_email, child.has_sms, child.has_push) == (True, True, False)


def test_push_uses_the_web_push_subscription_as_json_when_there_is_no_app_token(incident):
    person = make(incident, webpush_subscription={"endpoint": "https://p.example/1", "keys": {"p256dh": "k", "auth": "a"}})
    assert person.contact_for("push") == '{"endpoint":"https://p.example/1","keys":{"p256dh":"k","auth":"a"}}'


def test_the_personal_link_carries_at_least_128_random_bits(incident, settings):
    settings.BREACHLINE_BASE_URL = "https://notice.example.org"
    first, second = make(incident, "a", email="a@example.org"), make(incident, "b", email="b@example.org")
    assert first.personal_token != second.personal_token
    assert len(first.personal_token) >= 43  # 32 bytes of base64url
    assert first.personal_url == f"https://notice.example.org/n/{first.personal_token}/"


def test_duplicates_are_found_through_the_keyed_hash_whatever_the_case(incident):
    make(incident, "a", email="Ada@Example.org")
    assert Recipient.objects.filter(incident=incident, email_hash=email_hash("ada@example.org")).exists()
    assert email_hash("ada@example.org") == crypto.keyed_hash("email", "ada@example.org")
    assert "ada" not in email_hash("ada@example.org")


def test_changing_a_contact_reseals_and_rehashes(incident):
    person = make(incident, email="old@example.org")
    person.email = "new@example.org"
    person.save()
    again = Recipient.objects.get(pk=person.pk)
    assert again.email == "new@example.org"
    assert again.email_hash == email_hash("new@example.org")


def test_an_unknown_contact_field_is_refused(incident):
    person = Recipient(incident=incident, external_id="x", jurisdiction="DE")
    with pytest.raises(TypeError, match="shoe_size"):
        person.set_contact(shoe_size="42")
