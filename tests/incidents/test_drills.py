"""Drills: an admin deletes one afterwards; it leaves every page and the audit chains record it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from incidents import services
from incidents.models import AuditEvent

pytestmark = pytest.mark.django_db


def _drill(responder, **extra):
    return services.incident_create(actor=responder, title="Tabletop: lost laptop", is_drill=True,
                                    aware_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC), affected={"DE": 5},
                                    data_categories=["name"], **extra)


def test_an_admin_deletes_a_drill_and_both_chains_record_it(client, responder, admin_user):
    drill = _drill(responder)
    client.force_login(admin_user)
    assert "Delete this drill" in client.get(reverse("incident-detail", args=[drill.ref])).content.decode()
    response = client.post(reverse("drill-delete", args=[drill.ref]))
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(reverse("incident-detail", args=[drill.ref])).status_code == 404
    assert f'data-ref="{drill.ref}"' not in client.get("/").content.decode()
    org = AuditEvent.objects.filter(incident=None, action="drill.deleted").get()
    assert org.payload == {"ref": drill.ref, "title": drill.title} and org.actor_name == admin_user.username
    assert AuditEvent.objects.filter(incident=drill).last().action == "drill.deleted"
    assert AuditEvent.objects.filter(incident=drill, action="incident.created").exists()


def test_a_real_incident_cannot_be_deleted_and_a_responder_cannot_delete_a_drill(responder, admin_user, incident):
    with pytest.raises(ValidationError):
        services.drill_delete(actor=admin_user, incident=incident)
    with pytest.raises(PermissionDenied):
        services.drill_delete(actor=responder, incident=_drill(responder))
