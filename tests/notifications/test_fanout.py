"""Fan-out task bodies called directly against the local fakes: claim, send, record, retry, fall back, sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.audit import AuditEvent
from notifications.delivery import batch, queue, sending, sweep
from notifications.models import Delivery
from notifications.notices import rendering
from tests.notifications.delivery_helpers import approved_notice, people, person

# Sending refuses a channel that cannot send; these tests need every channel configured.
pytestmark = pytest.mark.usefixtures("channels_configured")


@pytest.fixture
def providers(settings, smtp_server, twilio_server, fcm_server):
    settings.EMAIL_RATE_PER_SECOND = settings.SMS_RATE_PER_SECOND = settings.PUSH_RATE_PER_SECOND = 0
    settings.CELERY_BROKER_URL = "memory://"
    settings.DELIVERY_RETRY_BASE_SECONDS = 10
    settings.DELIVERY_MAX_ATTEMPTS = 3
    return smtp_server, twilio_server, fcm_server


@pytest.fixture
def notice(incident):
    return approved_notice(incident)


def _send(notice, legal):
    sending.notice_send(actor=legal, notice=notice)
    return list(Delivery.objects.filter(notice=notice, status="queued").values_list("id", flat=True))


def _status(external_id: str, channel: str) -> Delivery:
    return Delivery.objects.get(recipient__external_id=external_id, channel=channel)


class Sent(list):
    def __call__(self, ids, countdown=0):
        self.append((list(ids), countdown))


def test_each_person_gets_one_message_per_channel_and_the_provider_ids_are_recorded(providers, legal, incident, notice):
    smtp, twilio, fcm = providers
    people(incident, 4)
    ids = _send(notice, legal)

    report = batch.deliveries_send_batch(delivery_ids=ids)

    assert report.sent == 12
    assert sorted(mail.rcpt_tos[0] for mail in smtp.messages) == [f"p{i}@example.org" for i in range(4)]
    assert sorted(message.to for message in twilio.messages) == [f"+1415555{i:04d}" for i in range(4)]
    assert sorted(message.token for message in fcm.messages) == [f"token-p{i}" for i in range(4)]
    sms = _status("p1", "sms")
    assert sms.status == "sent"
    assert sms.provider_id == twilio.messages[[m.to for m in twilio.messages].index("+14155550001")].sid
    assert sms.sent_at is not None and sms.attempts == 1


def test_the_email_carries_the_personal_link_and_a_message_id_derived_from_the_delivery(providers, legal, incident, notice):
    smtp, _, _ = providers
    [ada] = people(incident, 1)
    ids = _send(notice, legal)

    batch.deliveries_send_batch(delivery_ids=ids)

    [mail] = smtp.messages
    delivery = _status("p0", "email")
    assert ada.personal_url in mail.text
    assert mail.message["Message-ID"] == delivery.provider_id == batch.message_id_for(delivery)


def test_running_the_same_batch_again_sends_nothing(providers, legal, incident, notice):
    smtp, twilio, fcm = providers
    people(incident, 3)
    ids = _send(notice, legal)
    batch.deliveries_send_batch(delivery_ids=ids)

    again = batch.deliveries_send_batch(delivery_ids=ids)

    assert again.sent == 0
    assert (len(smtp.messages), len(twilio.messages), len(fcm.messages)) == (3, 3, 3)


def test_a_row_claimed_by_another_worker_is_left_alone(providers, legal, incident, notice):
    smtp, _, _ = providers
    people(incident, 2, fcm_token=None)
    ids = _send(notice, legal)
    other = batch.deliveries_claim(delivery_ids=[_status("p0", "email").pk])

    batch.deliveries_send_batch(delivery_ids=ids)

    assert [mail.rcpt_tos for mail in smtp.messages] == [["p1@example.org"]]
    assert _status("p0", "email").status == "sending"
    assert other[0].claim_token == _status("p0", "email").claim_token


def test_a_429_is_retried_later_with_backoff_and_then_sent(providers, legal, incident):
    _, twilio, _ = providers
    notice = approved_notice(incident, channels=["sms"])
    person(incident, "ada", phone="+14155550100").save()
    ids = _send(notice, legal)
    twilio.fail_next(1, status=429, retry_after=1)

    report = batch.deliveries_send_batch(delivery_ids=ids)

    delivery = _status("ada", "sms")
    assert (report.retrying, delivery.status, delivery.error_code, delivery.attempts) == (1, "queued", "20429", 1)
    assert timezone.now() + timedelta(seconds=4) < delivery.next_attempt_at < timezone.now() + timedelta(seconds=11)
    assert batch.deliveries_send_batch(delivery_ids=ids).sent == 0, "not before its time"

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert batch.deliveries_send_batch(delivery_ids=ids).sent == 1
    assert len(twilio.messages) == 1


def test_short_retries_ride_one_delayed_task(providers, legal, incident):
    _, twilio, _ = providers
    notice = approved_notice(incident, channels=["sms"])
    people(incident, 3)
    ids = _send(notice, legal)
    twilio.fail_next(3, status=500)
    report = batch.deliveries_send_batch(delivery_ids=ids)
    queued = Sent()

    queue.retries_schedule(retries=report.retry_ids, send=queued)

    [(retried, countdown)] = queued
    assert sorted(retried) == sorted(ids)
    assert 5 < countdown <= 10.5


def test_a_transient_failure_that_never_ends_fails_for_good_after_the_last_attempt(providers, legal, incident):
    _, twilio, _ = providers
    notice = approved_notice(incident, channels=["sms"])
    person(incident, "ada", phone="+14155550100").save()
    ids = _send(notice, legal)
    twilio.fail_next(3, status=500)

    for _ in range(3):
        Delivery.objects.update(next_attempt_at=timezone.now())
        batch.deliveries_send_batch(delivery_ids=ids)

    delivery = _status("ada", "sms")
    assert (delivery.status, delivery.attempts, delivery.error_code) == ("failed", 3, "20500")
    assert delivery.finished_at is not None
    assert "internal server error" in delivery.error_text.lower()


def test_sms_fails_over_to_a_letter_on_21610_where_sms_was_the_only_legal_channel(providers, legal, incident):
    _, twilio, _ = providers
    notice = approved_notice(incident, channels=["email", "sms"])
    person(incident, "stop", jurisdiction="DE", phone="+4915112345678", postal_address="Hauptstr. 1, Berlin").save()
    twilio.reject("+4915112345678", 21610)
    ids = _send(notice, legal)

    batch.deliveries_send_batch(delivery_ids=ids)

    delivery = _status("stop", "sms")
    assert (delivery.status, delivery.error_code, delivery.attempts) == ("failed", "21610", 1)
    assert delivery.needs_printed_letter
    assert twilio.attempts == 1, "a permanent failure is never retried"


def test_a_hard_bounce_falls_back_to_the_next_channel_in_the_plan(providers, legal, incident, notice):
    smtp, _, _ = providers
    sending.notice_plan_update(actor=legal, notice=notice, overrides={"*": {"alerts": ["push"], "fallback": ["sms"]}})
    person(incident, "gone", email="gone@example.org", phone="+14155550100", fcm_token="t").save()
    smtp.refuse("gone@example.org")
    ids = _send(notice, legal)

    batch.deliveries_send_batch(delivery_ids=ids)

    bounced = _status("gone", "email")
    fallback = _status("gone", "sms")
    assert (bounced.status, bounced.error_code) == ("bounced", "550")
    assert (fallback.status, fallback.fallback_of_id, fallback.legal) == ("queued", bounced.pk, False)
    assert bounced.substitute, "sms does not count as notice in California: the person still needs written notice"


def test_an_unregistered_push_token_fails_the_alert_without_touching_the_legal_notice(providers, legal, incident, notice):
    _, _, fcm = providers
    person(incident, "old-phone", email="o@example.org", fcm_token="stale").save()
    fcm.fail_token("stale", "UNREGISTERED")
    ids = _send(notice, legal)

    batch.deliveries_send_batch(delivery_ids=ids)

    push = _status("old-phone", "push")
    assert (push.status, push.error_code, push.needs_printed_letter, push.substitute) == ("failed", "UNREGISTERED", False, False)
    assert _status("old-phone", "email").status == "sent"


def test_the_notice_is_sent_when_no_delivery_is_queued_or_sending(providers, legal, incident, notice):
    people(incident, 2)
    ids = _send(notice, legal)

    batch.deliveries_send_batch(delivery_ids=ids[:3])
    notice.refresh_from_db()
    assert notice.status == "sending"

    batch.deliveries_send_batch(delivery_ids=ids[3:])
    notice.refresh_from_db()
    assert notice.status == "sent"
    assert AuditEvent.objects.filter(action="notice.sending_completed", to_state="sent").count() == 1


def test_a_batch_out_of_time_gives_the_rest_back_to_the_queue(providers, legal, incident, notice, settings):
    settings.DELIVERY_BATCH_SECONDS = -1
    people(incident, 2)
    ids = _send(notice, legal)

    report = batch.deliveries_send_batch(delivery_ids=ids)

    assert report.sent == 0 and sorted(report.released) == sorted(ids)
    assert set(Delivery.objects.values_list("status", "attempts", "claim_token")) == {("queued", 0, None)}


def test_the_sweep_requeues_deliveries_a_dead_worker_held_and_ones_no_message_carries(providers, legal, incident, notice, settings):
    settings.DELIVERY_STUCK_SECONDS = 60
    settings.DELIVERY_REQUEUE_SECONDS = 60
    people(incident, 2, fcm_token=None)
    ids = _send(notice, legal)
    held = batch.deliveries_claim(delivery_ids=ids[:1])
    long_ago = timezone.now() - timedelta(minutes=5)
    Delivery.objects.filter(pk=held[0].pk).update(claimed_at=long_ago)
    Delivery.objects.filter(status="queued").update(queued_at=long_ago)
    queued = Sent()

    counts = sweep.deliveries_sweep(send=queued)

    assert counts["requeued"] == 1 and counts["queued"] == len(ids) - 1
    assert sorted(i for batch, _ in queued for i in batch) == sorted(ids)
    assert batch.deliveries_send_batch(delivery_ids=ids).sent == len(ids)


def test_a_send_recorded_after_the_sweep_took_the_row_back_changes_nothing(providers, legal, incident, notice, settings):
    settings.DELIVERY_STUCK_SECONDS = 60
    people(incident, 2, fcm_token=None)
    ids = _send(notice, legal)
    held = batch.deliveries_claim(delivery_ids=ids)
    Delivery.objects.filter(pk=held[0].pk).update(claimed_at=timezone.now() - timedelta(minutes=5))
    sweep.deliveries_sweep(send=Sent())
    report = batch.BatchReport(retry_ids=[])

    batch.deliveries_record(
        deliveries=held, outcomes=[batch.Outcome(row.pk, provider_id=f"id-{row.pk}") for row in held], report=report
    )

    requeued = Delivery.objects.get(pk=held[0].pk)
    assert (requeued.status, requeued.provider_id, requeued.sent_at, requeued.attempts) == ("queued", "", None, 1)
    others = Delivery.objects.filter(pk__in=[row.pk for row in held[1:]])
    assert {row.pk: (row.status, row.provider_id, row.claim_token) for row in others} == {
        row.pk: ("sent", f"id-{row.pk}", None) for row in held[1:]
    }


def test_the_sweep_leaves_alone_what_a_task_message_still_carries(providers, legal, incident, notice):
    people(incident, 2)
    _send(notice, legal)
    queued = Sent()

    counts = sweep.deliveries_sweep(send=queued)

    assert counts == {"failed": 0, "requeued": 0, "queued": 0, "completed": 0}
    assert queued == []


def test_the_sweep_fails_a_delivery_that_killed_every_worker_that_took_it(providers, legal, incident, notice, settings):
    settings.DELIVERY_STUCK_SECONDS = 60
    person(incident, "poison", email="p@example.org").save()
    ids = _send(notice, legal)
    batch.deliveries_claim(delivery_ids=ids)
    Delivery.objects.update(attempts=3, claimed_at=timezone.now() - timedelta(minutes=5))

    counts = sweep.deliveries_sweep(send=Sent())

    delivery = _status("poison", "email")
    assert counts["failed"] == 1
    assert (delivery.status, delivery.error_code) == ("failed", "worker_lost")
    notice.refresh_from_db()
    assert notice.status == "sent"


@pytest.mark.parametrize("channel", ["email", "sms", "push"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_batch_rendering_gives_each_person_exactly_what_render_message_gives(legal, incident, channel, language):
    notice = approved_notice(incident, languages=["en", "zh-hans"])
    ada = person(incident, "ada", jurisdiction="DE", language=language, email="a@example.org", phone="+4915112345678",
                 fcm_token="t", name="Ada <Lovelace> & Co")
    ada.save()
    sending.notice_send(actor=legal, notice=notice)
    [delivery] = batch.deliveries_claim(delivery_ids=Delivery.objects.filter(channel=channel).values_list("id", flat=True))
    renderer = rendering.BatchRenderer()
    renderer.render(delivery)

    copy = renderer.render(delivery)

    assert copy == rendering.render_message(version=notice.current_version, channel=channel, language=language, recipient=ada)
    assert channel == "push" or ada.personal_url in copy.text, "push carries the link beside the text"


def test_one_renderer_gives_people_in_several_jurisdictions_and_languages_each_their_own_copy(legal, incident):
    notice = approved_notice(incident, languages=["en", "zh-hans"])
    readers = [
        person(incident, "ada", jurisdiction="DE", email="a@example.org", name="Ada"),
        person(incident, "bo", jurisdiction="US-NY", language="zh-hans", email="b@example.org", name="Bo"),
        person(incident, "cy", jurisdiction="US-NY", email="c@example.org", name=""),
        person(incident, "di", jurisdiction="DE", language="zh-hans", email="d@example.org", name=""),
    ]
    for reader in readers:
        reader.save()
    sending.notice_send(actor=legal, notice=notice)
    deliveries = batch.deliveries_claim(delivery_ids=Delivery.objects.values_list("id", flat=True))
    renderer = rendering.BatchRenderer()

    copies = {delivery.recipient.external_id: renderer.render(delivery) for delivery in deliveries}

    for reader in readers:
        expected = rendering.render_message(
            version=notice.current_version, channel="email", language=reader.language, recipient=reader
        )
        assert copies[reader.external_id] == expected
    assert "Customer" in copies["cy"].text
