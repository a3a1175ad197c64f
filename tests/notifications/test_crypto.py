"""Field encryption: AES-GCM with a key id, rotation, and keyed hashes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from incidents.models import AuditEvent
from notifications.models import crypto
from notifications.models.recipient import Recipient
from notifications.recipients.keys import recipients_rotate_keys

OLD_KEY = "old-key-material-0123456789abcdef0123456789"
NEW_KEY = "new-key-material-fedcba9876543210fedcba9876"


@pytest.fixture
def old_key_only(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    return settings


def _raw_sealed(recipient: Recipient) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_sealed FROM notifications_recipient WHERE id = %s", [recipient.pk])
        return cursor.fetchone()[0]


def _person(incident, external_id="p-1", **contact) -> Recipient:
    recipient = Recipient(incident=incident, external_id=external_id, jurisdiction="DE", language="en")
    recipient.set_contact(**contact)
    recipient.save()
    return recipient


def test_a_sealed_value_names_its_key_and_opens_again(old_key_only):
    sealed = crypto.seal(b"ada@example.org", context=b"row-1")
    assert sealed.startswith(f"bl1:{crypto.current_key_id()}:")
    assert "ada@example.org" not in sealed
    assert crypto.unseal(sealed, context=b"row-1") == b"ada@example.org"


def test_sealing_twice_gives_different_ciphertexts(old_key_only):
    assert crypto.seal(b"same", context=b"c") != crypto.seal(b"same", context=b"c")


def test_a_value_moved_to_another_row_does_not_open(old_key_only):
    sealed = crypto.seal(b"ada@example.org", context=b"recipient:one")
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(sealed, context=b"recipient:two")


def test_an_altered_value_does_not_open(old_key_only):
    sealed = crypto.seal(b"ada@example.org", context=b"c")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(tampered, context=b"c")


def test_a_value_under_a_removed_key_says_which_key_is_missing(settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    sealed = crypto.seal(b"x", context=b"c")
    old_id = crypto.current_key_id()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(crypto.DecryptionError, match=old_id):
        crypto.unseal(sealed, context=b"c")


def test_the_keyed_hash_depends_on_the_hash_key(settings):
    settings.FIELD_HASH_KEY = "first-hash-key"
    first = crypto.keyed_hash("email", "ada@example.org")
    settings.FIELD_HASH_KEY = "second-hash-key"
    assert crypto.keyed_hash("email", "ada@example.org") != first
    assert len(first) == 64


def test_the_database_column_holds_no_contact_detail(incident, old_key_only):
    recipient = _person(incident, name="Ada Lovelace", email="ada@example.org", phone="+4915112345678")
    raw = _raw_sealed(recipient)
    for secret in ("Ada", "ada@example.org", "+4915112345678", "4915112345678"):
        assert secret not in raw
    assert Recipient.objects.get(pk=recipient.pk).email == "ada@example.org"


def test_after_rotation_old_rows_still_open_and_new_rows_use_the_new_key(incident, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    old = _person(incident, "old", email="old@example.org")
    old_key_id = crypto.current_key_id()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    new = _person(incident, "new", email="new@example.org")

    assert Recipient.objects.get(pk=old.pk).email == "old@example.org"
    assert _raw_sealed(old).startswith(f"bl1:{old_key_id}:")
    assert _raw_sealed(new).startswith(f"bl1:{crypto.current_key_id()}:")


def test_rotate_recipient_keys_reseals_every_old_row_in_batches(incident, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    people = [_person(incident, f"p-{n}", email=f"p{n}@example.org") for n in range(5)]
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]

    result = recipients_rotate_keys(batch_size=2)

    assert (result.rotated, result.remaining) == (5, 0)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    for n, person in enumerate(people):
        assert _raw_sealed(person).startswith(f"bl1:{crypto.current_key_id()}:")
        assert Recipient.objects.get(pk=person.pk).email == f"p{n}@example.org"


def test_rotation_is_audited_without_personal_data(incident, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    _person(incident, email="ada@example.org")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    recipients_rotate_keys()

    event = AuditEvent.objects.get(action="recipients.keys_rotated")
    assert event.payload["rotated"] == 1
    assert "ada" not in str(event.payload)


def test_the_rotate_command_reports_what_is_left(incident, settings):
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    _person(incident, email="ada@example.org")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    out = StringIO()
    call_command("rotate_recipient_keys", stdout=out)
    assert "rotated: 1" in out.getvalue()
    assert "remaining: 0" in out.getvalue()
