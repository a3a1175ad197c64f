"""Drills: an admin deletes one afterwards; it leaves every page and the audit chains record it."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from incidents import services
from incidents.models import AuditEvent, OrganisationProfile
from notifications.delivery import batch, sending
from notifications.models import Delivery
from notifications.notices.rendering import render_message
from notifications.recipients.importing import recipients_import
from notifications.recipients.reading import decoded, rows_from_stream
from tests.notifications.conftest import PROFILE, assessed
from tests.notifications.delivery_helpers import approved_notice

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


DRILL_CSV = (
    "external_id,jurisdiction,name,email,phone\n"
    "team-1,US-CA,Tess Team,team@Example.org,\n"
    "real-1,US-CA,Alice Customer,alice@example.com,\n"
    "team-2,US-CA,Tom Team,,+1 415 555 0100\n"
)


@pytest.fixture
def drill_profile(db, admin_user):
    OrganisationProfile.objects.create(**PROFILE)
    return services.organisation_profile_update(
        actor=admin_user, drill_recipients=["team@EXAMPLE.org", "+1 (415) 555-0100", ""])


def test_the_team_lists_its_test_recipients_once_normalised_and_a_wrong_entry_is_named(drill_profile, admin_user):
    assert drill_profile.drill_recipients == ["team@example.org", "+14155550100"]
    with pytest.raises(ValidationError) as refused:
        services.organisation_profile_update(actor=admin_user, drill_recipients=["team@example.org", "call me"])
    assert "call me" in str(refused.value.message_dict["drill_recipients"])


def test_a_drill_imports_only_the_test_recipients_and_its_email_says_drill_in_the_subject(
        drill_profile, responder, legal, smtp_server, settings):
    settings.EMAIL_RATE_PER_SECOND = 0
    drill = assessed(responder, title="Tabletop: exposed backup", is_drill=True, affected={"US-CA": 3},
                     aware_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC), data_categories=["name", "ssn"])
    summary = recipients_import(
        actor=responder, incident=drill, rows=decoded(rows_from_stream(io.StringIO(DRILL_CSV), name="drill.csv")),
        source_name="drill.csv", rejects_stream=(rejects := io.StringIO()))
    assert (summary.imported, summary.rejected) == (2, 1)
    assert "alice@example.com is not one of the drill test recipients" in rejects.getvalue()

    notice = approved_notice(drill, channels=("email",))
    sending.notice_send(actor=legal, notice=notice)
    batch.deliveries_send_batch(delivery_ids=list(Delivery.objects.filter(notice=notice).values_list("id", flat=True)))
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["team@example.org"]
    assert mail.message["Subject"].startswith("[DRILL] ")


def test_a_drill_sms_starts_with_drill_and_a_chinese_subject_keeps_the_word(drill_profile, responder):
    drill = assessed(responder, title="Tabletop: exposed backup", is_drill=True, affected={"US-CA": 3},
                     aware_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC), data_categories=["name", "ssn"])
    notice = approved_notice(drill, channels=("email", "sms"), languages=("en", "zh-hans"))
    version = notice.versions.get()
    assert render_message(version=version, channel="sms", language="en").text.startswith("[DRILL] ")
    assert render_message(version=version, channel="email", language="zh-hans").subject.startswith("[演练 DRILL] ")
    real = approved_notice(assessed(responder, title="Real", affected={"US-CA": 3}, data_categories=["name", "ssn"],
                                    aware_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)), channels=("email",))
    assert "DRILL" not in render_message(version=real.versions.get(), channel="email", language="en").subject
