"""The audit trail is append-only and tamper-evident."""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from incidents import services
from incidents.audit import AppendOnlyError, AuditEvent, AuditHead, audit_anchor_heads, audit_canonical

pytestmark = pytest.mark.django_db

sign_existing_chains = __import__(
    "incidents.migrations.0004_audit_sign_existing_chains", fromlist=["sign_existing_chains"]
).sign_existing_chains


@contextmanager
def tampering():
    """A cursor with the powers of a database superuser: on PostgreSQL it switches triggers off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def broken_report(capsys, *args) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit", *args)
    assert raised.value.returncode == 1
    return capsys.readouterr().out


@pytest.fixture
def contained(incident, responder):
    services.incident_transition(actor=responder, incident=incident, name="contain", reason="Closed.")
    return incident


def test_the_application_refuses_to_update_or_delete_audit_events(incident):
    event = incident.audit_events.first()
    event.action = "nothing happened"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_verify_audit_says_ok_for_an_intact_chain(incident, responder, capsys):
    services.incident_transition(actor=responder, incident=incident, name="contain", reason="Closed.")
    call_command("verify_audit", incident.ref)
    assert f"OK {incident.ref} ({incident.audit_events.count()} events)" in capsys.readouterr().out


def test_verify_audit_catches_a_row_edited_behind_the_applications_back(incident, responder, capsys):
    services.incident_transition(actor=responder, incident=incident, name="contain", reason="Closed.")
    first = incident.audit_events.order_by("seq").first()
    with tampering() as cursor:
        cursor.execute(
            "UPDATE incidents_auditevent SET actor_name = %s WHERE id = %s", ["someone_else", first.pk]
        )
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit", incident.ref)
    assert raised.value.returncode == 1
    assert f"BROKEN {incident.ref} at event #1" in capsys.readouterr().out


def test_verify_audit_catches_a_deleted_row(incident, responder, capsys):
    services.incident_transition(actor=responder, incident=incident, name="contain", reason="Closed.")
    first = incident.audit_events.order_by("seq").first()
    with tampering() as cursor:
        cursor.execute("DELETE FROM incidents_auditevent WHERE id = %s", [first.pk])
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert "an event is missing" in capsys.readouterr().out


def test_verify_audit_sees_the_newest_event_deleted(contained, capsys):
    last = contained.audit_events.order_by("-seq").first()
    with tampering() as cursor:
        cursor.execute("DELETE FROM incidents_auditevent WHERE id = %s", [last.pk])
    out = broken_report(capsys, contained.ref)
    assert f"BROKEN {contained.ref} at event #{last.seq}: events #{last.seq} to #{last.seq} are missing" in out


def test_verify_audit_sees_the_newest_event_rewritten_with_a_recomputed_sha256(contained, capsys):
    last = contained.audit_events.order_by("-seq").first()
    last.payload = {"reason": "Nothing happened."}
    forged = hashlib.sha256(audit_canonical(last)).hexdigest()
    with tampering() as cursor:
        cursor.execute(
            "UPDATE incidents_auditevent SET payload = %s, hash = %s WHERE id = %s",
            [json.dumps(last.payload), forged, last.pk],
        )
    assert "it was altered" in broken_report(capsys, contained.ref)


def test_verify_audit_sees_two_events_swapped(contained, capsys):
    first, second = contained.audit_events.order_by("seq")[:2]
    with tampering() as cursor:
        cursor.execute("UPDATE incidents_auditevent SET seq = 1000 WHERE id = %s", [first.pk])
        cursor.execute("UPDATE incidents_auditevent SET seq = %s WHERE id = %s", [first.seq, second.pk])
        cursor.execute("UPDATE incidents_auditevent SET seq = %s WHERE id = %s", [second.seq, first.pk])
    assert f"BROKEN {contained.ref} at event #1" in broken_report(capsys, contained.ref)


def test_verify_audit_sees_a_forged_head(contained, capsys):
    with tampering() as cursor:
        cursor.execute("UPDATE incidents_audithead SET seq = seq - 1 WHERE incident_id = %s", [contained.pk])
    assert "head signature is invalid" in broken_report(capsys, contained.ref)


def test_a_new_audit_key_signs_while_the_old_one_still_verifies(contained, responder, settings, capsys):
    old_key = settings.AUDIT_CHAIN_KEYS[0]
    settings.AUDIT_CHAIN_KEYS = ["n" * 44, old_key]
    services.incident_update(actor=responder, incident=contained, title="Leaked customer database (backup)")
    call_command("verify_audit", contained.ref)
    assert f"OK {contained.ref}" in capsys.readouterr().out
    assert len(set(contained.audit_events.values_list("key_id", flat=True))) == 2
    settings.AUDIT_CHAIN_KEYS = ["n" * 44]
    assert "signed with an unknown audit key" in broken_report(capsys, contained.ref)


def test_an_anchor_proves_a_chain_was_once_longer(contained, responder, settings, tmp_path, capsys):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    old_head = AuditHead.objects.filter(incident=contained).values("seq", "hash", "signature").get()
    services.incident_update(actor=responder, incident=contained, title="Leaked customer database (backup)")
    assert audit_anchor_heads(now=timezone.now()) >= 1
    last = contained.audit_events.order_by("-seq").first()
    with tampering() as cursor:
        cursor.execute("DELETE FROM incidents_auditevent WHERE id = %s", [last.pk])
        cursor.execute(
            "UPDATE incidents_audithead SET seq = %s, hash = %s, signature = %s WHERE incident_id = %s",
            [old_head["seq"], old_head["hash"], old_head["signature"], contained.pk],
        )
    call_command("verify_audit", contained.ref)
    assert f"OK {contained.ref}" in capsys.readouterr().out
    out = broken_report(capsys, contained.ref, "--anchors", settings.AUDIT_ANCHOR_FILE)
    assert f"incident:{contained.pk} had event #{last.seq}, which is gone" in out


def test_anchors_in_an_s3_bucket_prove_a_chain_was_once_longer(contained, responder, s3_server, capsys):
    old_head = AuditHead.objects.filter(incident=contained).values("seq", "hash", "signature").get()
    services.incident_update(actor=responder, incident=contained, title="Leaked customer database (backup)")
    assert audit_anchor_heads(now=timezone.now()) >= 1
    services.incident_update(actor=responder, incident=contained, title="Leaked customer database (copy)")
    assert audit_anchor_heads(now=timezone.now()) >= 1
    objects = s3_server.objects()
    assert len(objects) == 2 and all(key.startswith("anchors/") and key.endswith(".jsonl") for key in objects)
    anchored = [json.loads(line) for text in objects.values() for line in text.splitlines()]
    assert {(anchor["chain"], anchor["seq"]) for anchor in anchored} >= {(f"incident:{contained.pk}", old_head["seq"] + 1)}
    call_command("verify_audit", contained.ref, "--anchors-bucket")
    assert f"OK {contained.ref}" in capsys.readouterr().out

    last = contained.audit_events.order_by("-seq").first()
    with tampering() as cursor:
        cursor.execute("DELETE FROM incidents_auditevent WHERE incident_id = %s AND seq > %s",
                       [contained.pk, old_head["seq"]])
        cursor.execute(
            "UPDATE incidents_audithead SET seq = %s, hash = %s, signature = %s WHERE incident_id = %s",
            [old_head["seq"], old_head["hash"], old_head["signature"], contained.pk],
        )
    out = broken_report(capsys, contained.ref, "--anchors-bucket")
    assert f"incident:{contained.pk} had event #{last.seq}, which is gone (bucket)" in out


def test_chains_written_before_the_key_are_signed_again_only_when_intact(contained, responder, capsys):
    other = services.incident_create(
        actor=responder, title="Misdirected e-mail", description="One message to the wrong person.",
        occurred_at=contained.occurred_at, aware_at=contained.aware_at, affected={"DE": 1},
        data_categories=["name", "email_address"],
    )
    for chain in (contained, other):
        previous = "0" * 64
        for event in chain.audit_events.order_by("seq"):
            event.prev_hash = previous
            event.hash = hashlib.sha256(audit_canonical(event)).hexdigest()
            with tampering() as cursor:
                cursor.execute(
                    "UPDATE incidents_auditevent SET prev_hash = %s, hash = %s, key_id = '' WHERE id = %s",
                    [event.prev_hash, event.hash, event.pk],
                )
            previous = event.hash
    with tampering() as cursor:
        cursor.execute("DELETE FROM incidents_audithead")
        cursor.execute(
            "UPDATE incidents_auditevent SET actor_name = 'mallory' WHERE incident_id = %s AND seq = 1", [other.pk]
        )
        state = MigrationExecutor(connection).loader.project_state(("incidents", "0004_audit_sign_existing_chains"))
        sign_existing_chains(state.apps, None)
    out = broken_report(capsys)
    assert f"OK {contained.ref}" in out
    assert f"BROKEN {other.ref} at event #1" in out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is installed on PostgreSQL only")
def test_postgresql_itself_refuses_to_change_or_delete_an_audit_row(contained):
    event = contained.audit_events.first()
    for statement in ("UPDATE incidents_auditevent SET action = 'x' WHERE id = %s",
                      "DELETE FROM incidents_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
