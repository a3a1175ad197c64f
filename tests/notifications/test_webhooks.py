"""Provider callbacks: Twilio's signed status callbacks and anymail's e-mail tracking events."""

from __future__ import annotations

import base64

import pytest
from anymail.signals import AnymailTrackingEvent, tracking
from django.test import Client

from notifications.delivery import batch, sending, webhooks
from notifications.models import Delivery
from tests.notifications.delivery_helpers import approved_notice, person


@pytest.fixture
def sent_sms(settings, twilio_server, legal, incident):
    settings.SMS_RATE_PER_SECOND = 0
    settings.CELERY_BROKER_URL = "memory://"
    notice = approved_notice(incident, channels=["email", "sms"])
    person(incident, "ada", jurisdiction="DE", phone="+4915112345678", postal_address="Hauptstr. 1").save()
    sending.notice_send(actor=legal, notice=notice)
    batch.deliveries_send_batch(delivery_ids=list(Delivery.objects.values_list("id", flat=True)))
    return Delivery.objects.get(channel="sms")


def _post(callback, *, signature=None):
    headers = {} if signature == "" else {"X-Twilio-Signature": signature or callback.signature}
    path = callback.url.removeprefix("http://testserver")
    return Client().post(path, callback.params, headers=headers)


def test_a_signed_delivered_callback_marks_the_sms_delivered(twilio_server, sent_sms):
    callback = twilio_server.status_callback_request(sent_sms.provider_id, "delivered")

    response = _post(callback)

    sent_sms.refresh_from_db()
    assert response.status_code == 204
    assert sent_sms.status == "delivered"
    assert sent_sms.finished_at is not None
    assert sent_sms.notice.status == "sent"


def test_an_undelivered_callback_records_the_error_and_flags_the_person_for_a_letter(twilio_server, sent_sms):
    callback = twilio_server.status_callback_request(sent_sms.provider_id, "undelivered", error_code=30003)

    assert _post(callback).status_code == 204

    sent_sms.refresh_from_db()
    assert (sent_sms.status, sent_sms.error_code, sent_sms.error_text) == (
        "undelivered", "30003", "Unreachable destination handset"
    )
    assert sent_sms.needs_printed_letter


@pytest.mark.parametrize("signature", ["", "bm90IHRoZSByaWdodCBzaWduYXR1cmU="])
def test_an_unsigned_or_wrongly_signed_callback_is_refused_and_changes_nothing(twilio_server, sent_sms, signature):
    callback = twilio_server.status_callback_request(sent_sms.provider_id, "delivered")

    response = _post(callback, signature=signature)

    sent_sms.refresh_from_db()
    assert response.status_code == 403
    assert sent_sms.status == "sent"


def test_a_callback_signed_for_another_delivery_is_refused(twilio_server, sent_sms):
    callback = twilio_server.status_callback_request(sent_sms.provider_id, "failed", error_code=30005)
    other_path = callback.url.removeprefix("http://testserver").replace(f"/{sent_sms.pk}/", f"/{sent_sms.pk + 1}/")

    response = Client().post(other_path, callback.params, headers={"X-Twilio-Signature": callback.signature})

    assert response.status_code == 403


def test_a_callback_whose_sid_is_not_the_deliverys_changes_nothing(twilio_server, sent_sms):
    callback = twilio_server.status_callback_request(sent_sms.provider_id, "failed", error_code=30005)
    Delivery.objects.filter(pk=sent_sms.pk).update(provider_id="SMsomethingelse")

    assert _post(callback).status_code == 204

    sent_sms.refresh_from_db()
    assert sent_sms.status == "sent"


def test_a_late_sent_callback_after_delivered_does_not_move_it_back(twilio_server, sent_sms):
    _post(twilio_server.status_callback_request(sent_sms.provider_id, "delivered"))

    _post(twilio_server.status_callback_request(sent_sms.provider_id, "sent"))

    sent_sms.refresh_from_db()
    assert sent_sms.status == "delivered"


def test_the_webhook_answers_only_post(twilio_server, sent_sms):
    assert Client().get(f"/webhooks/twilio/status/{sent_sms.pk}/").status_code == 405


@pytest.fixture
def sent_email(settings, smtp_server, legal, incident):
    settings.EMAIL_RATE_PER_SECOND = 0
    settings.CELERY_BROKER_URL = "memory://"
    notice = approved_notice(incident, channels=["email"])
    person(incident, "bob", email="bob@example.org").save()
    sending.notice_send(actor=legal, notice=notice)
    batch.deliveries_send_batch(delivery_ids=list(Delivery.objects.values_list("id", flat=True)))
    return Delivery.objects.get(channel="email")


def _esp_event(event_type: str, delivery: Delivery, **fields) -> None:
    # A web process imports the receiver with the URLconf before any anymail webhook view runs.
    assert webhooks.email_tracking and tracking.has_listeners()
    event = AnymailTrackingEvent(
        event_type=event_type, message_id=delivery.provider_id, metadata={"delivery": str(delivery.pk)}, **fields
    )
    tracking.send(sender=object, event=event, esp_name="TestESP")


def test_an_esp_bounce_marks_the_email_bounced_with_the_mta_response(sent_email):
    _esp_event("bounced", sent_email, reject_reason="bounced", mta_response="550 5.1.1 user unknown")

    sent_email.refresh_from_db()
    assert (sent_email.status, sent_email.error_code, sent_email.error_text) == (
        "bounced", "bounced", "550 5.1.1 user unknown"
    )
    assert sent_email.substitute, "no postal address and no other legal channel: substitute notice"


def test_an_esp_delivered_event_marks_the_email_delivered_and_opens_are_ignored(sent_email):
    _esp_event("opened", sent_email)
    sent_email.refresh_from_db()
    assert sent_email.status == "sent"

    _esp_event("delivered", sent_email)
    sent_email.refresh_from_db()
    assert sent_email.status == "delivered"


@pytest.fixture
def sent_through_postmark(settings, postmark_server, legal, incident):
    settings.EMAIL_RATE_PER_SECOND = 0
    settings.CELERY_BROKER_URL = "memory://"
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "postmark:hook-secret"}
    notice = approved_notice(incident, channels=["email"])
    person(incident, "cy", email="cy@example.org", postal_address="1 Main St").save()
    sending.notice_send(actor=legal, notice=notice)
    batch.deliveries_send_batch(delivery_ids=list(Delivery.objects.values_list("id", flat=True)))
    return Delivery.objects.get(channel="email")


def _postmark_bounce(delivery: Delivery) -> dict:
    return {
        "RecordType": "Bounce", "Type": "HardBounce", "TypeCode": 1, "MessageID": delivery.provider_id,
        "Email": "cy@example.org", "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist",
        "BouncedAt": "2026-03-28T10:00:00Z", "Metadata": {"delivery": str(delivery.pk)}, "Inactive": True,
    }


def test_a_postmark_hard_bounce_webhook_marks_the_email_bounced_and_flags_a_letter(postmark_server, sent_through_postmark):
    assert sent_through_postmark.provider_id == postmark_server.messages[0]["MessageID"]

    response = Client().post(
        "/webhooks/anymail/postmark/tracking/", _postmark_bounce(sent_through_postmark), content_type="application/json",
        headers={"Authorization": "Basic cG9zdG1hcms6aG9vay1zZWNyZXQ="},
    )

    sent_through_postmark.refresh_from_db()
    assert response.status_code == 200
    assert sent_through_postmark.status == "bounced"
    assert "550 5.1.1" in sent_through_postmark.error_text
    assert sent_through_postmark.needs_printed_letter


def test_a_postmark_webhook_without_the_shared_secret_changes_nothing(postmark_server, sent_through_postmark):
    response = Client().post(
        "/webhooks/anymail/postmark/tracking/", _postmark_bounce(sent_through_postmark), content_type="application/json",
    )

    sent_through_postmark.refresh_from_db()
    assert response.status_code == 400
    assert sent_through_postmark.status == "sent"


def test_a_provider_webhook_answers_400_to_rubbish_and_404_while_not_configured(client, settings, db):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "user:pass"}
    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"user:pass").decode()}
    assert client.post("/webhooks/anymail/amazon_ses/inbound/", "--rubbish--", content_type="text/plain",
                       **auth).status_code == 400
    assert client.post("/webhooks/anymail/postmark/tracking/", "{not json", content_type="application/json",
                       **auth).status_code == 400
    # Unisender Go signs with its own API key, which is not configured here.
    assert client.post("/webhooks/anymail/unisender_go/tracking/", "{}", content_type="application/json",
                       **auth).status_code == 404
    settings.ANYMAIL = {}
    assert client.post("/webhooks/anymail/postmark/tracking/", "{}", content_type="application/json").status_code == 404
