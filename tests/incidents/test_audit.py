"""The audit trail is append-only and tamper-evident."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from incidents import services
from incidents.audit import AppendOnlyError, AuditEvent

pytestmark = pytest.mark.django_db


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
    with connection.cursor() as cursor:
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
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM incidents_auditevent WHERE id = %s", [first.pk])
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert "an event is missing" in capsys.readouterr().out
