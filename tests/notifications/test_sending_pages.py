"""Sending from the page: the channel plan and a check of every channel first, refusal (or an explicit,
recorded skip) of a channel that cannot send, the development outbox, and the progress bars."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.audit import AuditEvent
from notifications.channels.base import transport_for
from notifications.channels.outbox import OutboxTransport, outbox_messages
from notifications.delivery import batch, sending
from notifications.models import Delivery
from tests.notifications.delivery_helpers import approved_notice, people


@pytest.fixture
def outbox(settings, tmp_path):
    """DEBUG on with no provider configured: every channel goes to the development outbox."""
    settings.DEBUG = True
    settings.DEV_OUTBOX_CHANNELS = ["email", "sms", "push"]
    settings.DEV_OUTBOX_FILE = tmp_path / "outbox" / "messages.jsonl"
    return settings.DEV_OUTBOX_FILE


@pytest.fixture
def unconfigured(settings):
    """DEBUG off, e-mail through Django's test backend, no Twilio credentials, no push credentials."""
    settings.DEBUG = False
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""
    settings.FCM_CREDENTIALS_FILE = settings.WEBPUSH_VAPID_PRIVATE_KEY = ""


@pytest.fixture
def notice(incident):
    return approved_notice(incident)


def _send_everything(notice) -> None:
    batch.deliveries_send_batch(delivery_ids=list(Delivery.objects.filter(notice=notice).values_list("id", flat=True)))


def test_with_debug_on_every_message_waits_in_the_outbox_exactly_as_it_would_be_sent(outbox, legal, incident, notice):
    reached = people(incident, 3)
    sending.notice_send(actor=legal, notice=notice)
    _send_everything(notice)

    kept = outbox_messages()
    assert sorted((message["channel"], message["to"]) for message in kept) == sorted(
        [("email", person.email) for person in reached] + [("sms", person.phone) for person in reached]
        + [("push", person.fcm_token) for person in reached]
    )
    email = next(message for message in kept if message["channel"] == "email")
    assert email["subject"] and "/n/" in email["link"] and email["link"] in email["text"]
    notice.refresh_from_db()
    assert notice.status == "sent"
    assert set(Delivery.objects.filter(notice=notice).values_list("status", flat=True)) == {"sent"}


def test_staff_read_the_outbox_page_and_others_may_not(outbox, client, legal, admin_user, incident, notice):
    people(incident, 2)
    sending.notice_send(actor=legal, notice=notice)
    _send_everything(notice)
    admin_user.is_staff = True
    admin_user.save()

    client.force_login(legal)
    assert client.get("/dev/outbox/").status_code == 403
    client.force_login(admin_user)
    page = client.get("/dev/outbox/")
    assert page.status_code == 200
    assert "6 messages." in page.content.decode()
    assert "p0@example.org" in page.content.decode() and "+14155550001" in page.content.decode()


def test_the_outbox_page_does_not_exist_with_debug_off(client, admin_user, settings):
    settings.DEBUG = False
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get("/dev/outbox/").status_code == 404


def _outbox_channels(**environment) -> list[str]:
    script = "import django, os; django.setup(); from django.conf import settings; print(settings.DEV_OUTBOX_CHANNELS)"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("EMAIL_", "TWILIO_", "FCM_", "WEBPUSH_", "DEBUG"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x" * 60, **environment})
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                            cwd=django_settings.BASE_DIR, check=True)
    return eval(result.stdout)  # noqa: S307 - our own script prints a list literal


def test_each_channel_leaves_the_outbox_once_its_provider_is_configured():
    assert _outbox_channels(DEBUG="1") == ["email", "sms", "push"]
    assert _outbox_channels(DEBUG="1", EMAIL_HOST="smtp.example.org", TWILIO_ACCOUNT_SID="AC1") == ["push"]
    assert _outbox_channels(DEBUG="1", EMAIL_BACKEND="anymail.backends.postmark.EmailBackend",
                            WEBPUSH_VAPID_PRIVATE_KEY="key") == ["sms"]


def test_with_debug_off_no_channel_uses_the_outbox(settings):
    settings.DEBUG, settings.DEV_OUTBOX_CHANNELS = False, ["email", "sms", "push"]
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = ""
    with pytest.raises(ImproperlyConfigured):
        transport_for("sms")
    assert not isinstance(transport_for("email"), OutboxTransport)


def test_a_channel_that_cannot_send_while_it_would_reach_people_refuses_the_send_before_anything_is_queued(
        unconfigured, legal, incident, notice):
    people(incident, 2)
    with pytest.raises(sending.Conflict) as refusal:
        sending.notice_send(actor=legal, notice=notice)

    assert "sms would reach 2 people" in str(refusal.value) and "No Twilio credentials" in str(refusal.value)
    assert [entry["channel"] for entry in refusal.value.extra["unconfigured_channels"]] == ["sms", "push"]
    notice.refresh_from_db()
    assert notice.status == "approved" and not Delivery.objects.filter(notice=notice).exists()


def test_a_channel_nobody_in_the_plan_uses_is_no_reason_to_refuse(unconfigured, legal, incident, notice):
    people(incident, 2, phone=None, fcm_token=None)
    sending.notice_send(actor=legal, notice=notice)
    assert set(Delivery.objects.filter(notice=notice).values_list("channel", flat=True)) == {"email"}


def test_an_smtp_server_that_does_not_answer_is_named(unconfigured, settings, legal, incident, notice):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    people(incident, 1, phone=None, fcm_token=None)
    with pytest.raises(sending.Conflict) as refusal:
        sending.notice_send(actor=legal, notice=notice)
    assert f"The SMTP server 127.0.0.1:{closed_port} is not answering" in str(refusal.value)


def test_the_api_answers_409_naming_the_channels_and_force_skip_sends_without_them(
        unconfigured, api_as, legal, incident, notice):
    people(incident, 2)
    url = f"/api/notices/{notice.pk}/send/"
    refused = api_as(legal).post(url, {}, format="json")
    assert refused.status_code == 409
    assert [(entry["channel"], entry["people"]) for entry in refused.json()["unconfigured_channels"]] == [
        ("sms", 2), ("push", 2)]

    assert api_as(legal).post(url, {"force_skip": ["fax"]}, format="json").status_code == 400
    sent = api_as(legal).post(url, {"force_skip": ["sms", "push"]}, format="json")
    assert sent.status_code == 202
    assert set(Delivery.objects.filter(notice=notice).values_list("channel", flat=True)) == {"email"}
    event = AuditEvent.objects.get(action="notice.sending_started")
    assert set(event.payload["skipped_channels"]) == {"sms", "push"}
    assert "No Twilio credentials" in event.payload["skipped_channels"]["sms"]


def test_legal_sends_from_the_page_after_the_preflight_and_follows_the_bars_to_100_percent(
        outbox, client, legal, incident, notice):
    people(incident, 2)
    client.force_login(legal)
    url = reverse("notifications:notice-delivery", args=[notice.pk])
    preflight = client.get(url).content.decode()
    assert "Before sending: can each channel send?" in preflight and "Development outbox" in preflight

    assert client.post(url).status_code == 302
    notice.refresh_from_db()
    assert notice.status == "sending"
    bars = client.get(reverse("notifications:notice-delivery-progress", args=[notice.pk])).content.decode()
    assert "0 of 2 finished (0 %)" in bars and "hx-trigger" in bars

    _send_everything(notice)
    page = client.get(url).content.decode()
    assert page.count("2 of 2 finished (100 %)") == 3 and "hx-trigger" not in page
    assert "Delivery evidence (CSV)" in page and "Printed letters (PDF)" in page


def test_the_page_refuses_an_unconfigured_channel_and_records_an_explicit_skip(
        unconfigured, client, legal, incident, notice):
    people(incident, 2)
    client.force_login(legal)
    url = reverse("notifications:notice-delivery", args=[notice.pk])
    page = client.get(url).content.decode()
    assert "Not configured" in page and "No Twilio credentials" in page

    refused = client.post(url, follow=True).content.decode()
    assert "sms would reach 2 people but cannot send" in refused
    notice.refresh_from_db()
    assert notice.status == "approved"

    client.post(url, {"skip": ["sms", "push"]})
    notice.refresh_from_db()
    assert notice.status == "sending"
    assert set(AuditEvent.objects.get(action="notice.sending_started").payload["skipped_channels"]) == {"sms", "push"}


def test_a_responder_sees_the_preflight_but_cannot_send(channels_configured, client, responder, incident, notice):
    people(incident, 1)
    client.force_login(responder)
    url = reverse("notifications:notice-delivery", args=[notice.pk])
    assert "Only legal may send a notice." in client.get(url).content.decode()
    client.post(url)
    notice.refresh_from_db()
    assert notice.status == "approved"


def test_the_send_notice_command_names_the_channel_and_skips_it_only_when_told(unconfigured, incident, notice, legal):
    people(incident, 1, fcm_token=None)
    with pytest.raises(CommandError, match="sms would reach 1 person but cannot send"):
        call_command("send_notice", str(notice.pk), "--as", legal.username)
    call_command("send_notice", str(notice.pk), "--as", legal.username, "--force-skip", "sms", stdout=io.StringIO())
    notice.refresh_from_db()
    assert notice.status == "sending"


def _answering_the_individuals(notice, incident):
    notice.obligations.set(incident.obligations.filter(audience="individuals"))
    return notice


def test_the_individuals_duty_is_met_by_itself_once_everyone_is_reached_or_flagged_for_a_letter(
        outbox, client, legal, responder):
    # Aware two hours ago: California's 30 days are still running while the notice goes out.
    incident = services.incident_create(
        actor=responder, title="Leaked customer database", aware_at=timezone.now() - timedelta(hours=2),
        affected={"DE": 1200, "US-CA": 501}, data_categories=["name", "email_address", "password"])
    notice = _answering_the_individuals(approved_notice(incident), incident)
    people(incident, 2)
    people(incident, 1, prefix="post", email=None, phone=None, fcm_token=None, postal_address="1 Main St, Fresno")
    sending.notice_send(actor=legal, notice=notice)
    _send_everything(notice)

    last_accepted = Delivery.objects.filter(notice=notice, legal=True, status="sent").latest("sent_at").sent_at
    duties = incident.obligations.filter(audience="individuals")
    assert {(duty.jurisdiction, duty.status, duty.met_at) for duty in duties} == {
        ("EU", "met", last_accepted), ("US-CA", "met", last_accepted)}
    event = AuditEvent.objects.filter(action="obligation.met").first()
    assert event.actor_name == "delivery"
    client.force_login(legal)
    page = client.get(reverse("notifications:notice-delivery", args=[notice.pk])).content.decode()
    assert "when the last person was reached or handed to a fallback" in page


def test_a_duty_whose_deadline_passed_before_everyone_was_reached_is_left_for_legal(outbox, legal, incident, notice):
    _answering_the_individuals(notice, incident)
    people(incident, 1)
    sending.notice_send(actor=legal, notice=notice)
    _send_everything(notice)
    statuses = dict(incident.obligations.filter(audience="individuals").values_list("jurisdiction", "status"))
    assert statuses == {"EU": "met", "US-CA": "open"}, "US-CA was due on 27 April 2026"
