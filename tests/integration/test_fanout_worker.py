"""Fan-out with real Celery workers on PostgreSQL and Redis, against the local fakes.

"Exactly once" here means: every delivery reaches its provider and is recorded
once, and no person gets a second copy, under at-least-once task delivery made
safe by row claims. The one honest exception is a worker killed between the
provider's acceptance and our record of it: that message is sent again after
the sweep, at most ``DELIVERY_RECORD_EVERY`` per killed process. An e-mail sent
twice carries the same Message-ID (derived from the delivery), so the test
counts distinct Message-IDs per person: a mail system drops the second copy.
"""

from __future__ import annotations

import collections
import signal
import time

import pytest

from config.celery import app as celery_app
from notifications import tasks
from notifications.delivery import completion, queue, sending, sweep
from notifications.models import Delivery, DeliveryTally, Notice, ReachTally, tally_compact
from tests.integration.conftest import wait_until
from tests.notifications.delivery_helpers import approved_notice, people, person
from tests.notifications.tally_checks import counted, kept

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _all_final(notice) -> bool:
    return not completion.open_deliveries(notice_id=notice.pk).exists()


def _statuses(notice) -> dict[tuple[str, str], int]:
    rows = Delivery.objects.filter(notice=notice).values_list("channel", "status")
    return dict(collections.Counter(rows))


def test_a_notice_to_three_hundred_people_arrives_exactly_once_per_person_and_channel(
    workers, legal, incident, smtp_server, twilio_server, fcm_server
):
    notice = approved_notice(incident)
    people(incident, 300)
    workers.start(concurrency=2)

    sending.notice_send(actor=legal, notice=notice)

    wait_until(lambda: _all_final(notice), timeout=120, message=f"still open: {_statuses(notice)}")
    assert _statuses(notice) == {("email", "sent"): 300, ("sms", "sent"): 300, ("push", "sent"): 300}
    mails = smtp_server.messages
    assert sorted(mail.rcpt_tos[0] for mail in mails) == sorted(f"p{i}@example.org" for i in range(300))
    assert len({mail.message["Message-ID"] for mail in mails}) == 300
    assert sorted(m.to for m in twilio_server.messages) == sorted(f"+1415555{i:04d}" for i in range(300))
    assert sorted(m.token for m in fcm_server.messages) == sorted(f"token-p{i}" for i in range(300))
    recorded = set(Delivery.objects.filter(channel="sms").values_list("provider_id", flat=True))
    assert recorded == {message.sid for message in twilio_server.messages}
    notice.refresh_from_db()
    assert notice.status == "sent"


def test_messages_an_older_release_queued_by_task_name_still_run_after_the_upgrade(
    workers, legal, incident, smtp_server
):
    # What an older release left behind: a notice sending, its delivery rows, and task
    # messages on the broker that name their task by its registered name only.
    notice = approved_notice(incident, channels=["email"])
    people(incident, 6)
    sending.deliveries_create(
        notice=notice, version=notice.current_version, plan=sending.notice_channel_plan(notice=notice)
    )
    Notice.objects.filter(pk=notice.pk).update(status="sending")
    first_two = list(Delivery.objects.order_by("id").values_list("id", flat=True)[:2])
    celery_app.send_task("notifications.deliveries_send", args=[first_two])
    celery_app.send_task("notifications.notice_dispatch", args=[notice.pk])

    workers.start(concurrency=1)

    wait_until(lambda: _all_final(notice), timeout=60, message=f"still open: {_statuses(notice)}")
    assert _statuses(notice) == {("email", "sent"): 6}
    assert sorted(mail.rcpt_tos[0] for mail in smtp_server.messages) == sorted(f"p{i}@example.org" for i in range(6))
    wait_until(lambda: Notice.objects.get(pk=notice.pk).status == "sent", timeout=30)


def test_permanent_refusals_fall_back_and_transient_ones_are_retried(
    workers, legal, incident, smtp_server, twilio_server, fcm_server
):
    notice = approved_notice(incident)
    sending.notice_plan_update(actor=legal, notice=notice, overrides={"US-CA": {"alerts": ["push"], "fallback": ["sms"]}})
    people(incident, 20)
    person(incident, "bounce", email="bounce@example.org", phone="+14155550901").save()
    person(incident, "eu-stop", jurisdiction="DE", phone="+4915112345678", postal_address="Hauptstr. 1").save()
    person(incident, "eu-bad", jurisdiction="DE", phone="+4915112345679").save()
    person(incident, "stale", email="stale@example.org", fcm_token="stale-token").save()
    smtp_server.refuse("bounce@example.org")
    twilio_server.reject("+4915112345678", 21610)
    twilio_server.reject("+4915112345679", 21211)
    fcm_server.fail_token("stale-token", "UNREGISTERED")
    twilio_server.fail_next(2, status=429, retry_after=1)
    fcm_server.fail_next(2, status=500)
    workers.start(concurrency=2)

    sending.notice_send(actor=legal, notice=notice)

    wait_until(lambda: _all_final(notice), timeout=120, message=f"still open: {_statuses(notice)}")
    bounced = Delivery.objects.get(recipient__external_id="bounce", channel="email")
    fallback = Delivery.objects.get(recipient__external_id="bounce", channel="sms")
    assert (bounced.status, fallback.status, fallback.fallback_of_id) == ("bounced", "sent", bounced.pk)
    stop = Delivery.objects.get(recipient__external_id="eu-stop", channel="sms")
    assert (stop.status, stop.error_code, stop.needs_printed_letter) == ("failed", "21610", True)
    bad = Delivery.objects.get(recipient__external_id="eu-bad", channel="sms")
    assert (bad.status, bad.error_code, bad.substitute) == ("failed", "21211", True)
    stale = Delivery.objects.get(recipient__external_id="stale", channel="push")
    assert (stale.status, stale.error_code) == ("failed", "UNREGISTERED")
    assert Delivery.objects.filter(channel="sms", attempts__gt=1).exists(), "a 429 is retried"
    assert Delivery.objects.filter(channel="push", attempts__gt=1, status="sent").exists(), "a 500 is retried"
    # One accepted SMS (the fallback), two 429s retried, 21610 and 21211 tried once each.
    assert (len(twilio_server.messages), twilio_server.attempts) == (1, 5)
    assert len(fcm_server.messages) == 20


def test_twilio_callbacks_reach_the_app_signed_and_forged_ones_are_refused(
    workers, legal, incident, smtp_server, twilio_server, fcm_server, live_server
):
    import requests

    notice = approved_notice(incident, channels=["sms"])
    person(incident, "ada", phone="+14155550100").save()
    person(incident, "bob", phone="+14155550101").save()
    twilio_server.callbacks = ("sent", "delivered")
    twilio_server.finish_as("+14155550101", "undelivered", 30003)
    workers.start(concurrency=1)

    sending.notice_send(actor=legal, notice=notice)

    wait_until(lambda: len(twilio_server.callbacks_posted) >= 4, timeout=60)
    wait_until(lambda: not Delivery.objects.filter(status__in=["sending", "sent"]).exists(), timeout=30)
    assert {c.response_status for c in twilio_server.callbacks_posted} == {204}
    ada = Delivery.objects.get(recipient__external_id="ada", channel="sms")
    bob = Delivery.objects.get(recipient__external_id="bob", channel="sms")
    assert ada.status == "delivered"
    assert (bob.status, bob.error_code) == ("undelivered", "30003")
    forged = requests.post(
        f"{live_server.url}/webhooks/twilio/status/{ada.pk}/",
        data={"MessageSid": ada.provider_id, "MessageStatus": "failed", "ErrorCode": "30005"},
        headers={"X-Twilio-Signature": "Zm9yZ2Vk"}, timeout=10,
    )
    assert forged.status_code == 403
    ada.refresh_from_db()
    assert ada.status == "delivered"


def test_the_sweep_recovers_deliveries_after_a_worker_is_killed_mid_batch(
    workers, legal, incident, smtp_server, twilio_server, fcm_server
):
    notice = approved_notice(incident, channels=["email"])
    people(incident, 400)
    first = workers.start(concurrency=2, extra_env={"EMAIL_RATE_PER_SECOND": "40", "DELIVERY_RECORD_EVERY": "5"})

    sending.notice_send(actor=legal, notice=notice)
    wait_until(lambda: len(smtp_server.messages) >= 60, timeout=60)
    first.kill(signal.SIGKILL)
    assert Delivery.objects.filter(status="sending").exists(), "the kill must land mid-batch"
    time.sleep(2.5)

    # The second worker's sweep treats claims older than 2 s as abandoned, and rows whose task
    # messages died with the first worker (Redis would redeliver them only after its visibility
    # timeout) as not carried after 1 s.
    workers.start(concurrency=2, extra_env={"DELIVERY_STUCK_SECONDS": "2", "DELIVERY_REQUEUE_SECONDS": "1"})
    tasks.deliveries_sweep.delay()

    wait_until(lambda: _all_final(notice), timeout=120, message=f"still open: {_statuses(notice)}")
    assert _statuses(notice) == {("email", "sent"): 400}
    message_ids = collections.defaultdict(set)
    copies = collections.Counter()
    for mail in smtp_server.messages:
        message_ids[mail.rcpt_tos[0]].add(mail.message["Message-ID"])
        copies[mail.rcpt_tos[0]] += 1
    assert len(message_ids) == 400, "nobody was lost"
    assert all(len(ids) == 1 for ids in message_ids.values()), "a resend carries the same Message-ID"
    duplicates = sum(copies.values()) - 400
    assert duplicates <= 2 * 5, f"{duplicates} second copies: at most DELIVERY_RECORD_EVERY per killed process"
    recorded = set(Delivery.objects.values_list("provider_id", flat=True))
    assert recorded == {next(iter(ids)) for ids in message_ids.values()}


def test_two_of_three_workers_killed_mid_fan_out_and_the_third_with_the_sweep_reaches_everyone(
    workers, legal, incident, smtp_server, twilio_server, fcm_server, settings
):
    notice = approved_notice(incident, channels=["email"])
    people(incident, 600)
    slow = {"EMAIL_RATE_PER_SECOND": "40", "DELIVERY_RECORD_EVERY": "5"}
    doomed = [workers.start(concurrency=2, extra_env=slow) for _ in range(2)]
    survivor = workers.start(concurrency=2, extra_env=slow)
    assert len({worker.name for worker in (*doomed, survivor)}) == 3

    sending.notice_send(actor=legal, notice=notice)
    wait_until(lambda: len(smtp_server.messages) >= 120, timeout=90)
    for worker in doomed:
        worker.kill(signal.SIGKILL)
    assert len(smtp_server.messages) < 600, "the kills must land mid-fan-out"

    # The sweep (beat runs it every minute) takes back the dead workers' claims older than 10 s (a live
    # worker's batch of 25 at 40 a second holds its claim well under that) and the rows whose task messages
    # died with them; the survivor sends them.
    settings.DELIVERY_STUCK_SECONDS, settings.DELIVERY_REQUEUE_SECONDS = 10, 5
    time.sleep(10.5)

    def swept_and_final() -> bool:
        if _all_final(notice):
            return True
        sweep.deliveries_sweep(send=queue.deliveries_send_later)
        return False

    wait_until(swept_and_final, timeout=180, interval=2.5, message=f"still open: {_statuses(notice)}")
    assert _statuses(notice) == {("email", "sent"): 600}
    message_ids = collections.defaultdict(set)
    for mail in smtp_server.messages:
        message_ids[mail.rcpt_tos[0]].add(mail.message["Message-ID"])
    assert len(message_ids) == 600, "nobody was lost"
    assert all(len(ids) == 1 for ids in message_ids.values()), "a resend carries the same Message-ID"
    second_copies = len(smtp_server.messages) - 600
    assert second_copies <= 2 * 2 * 5, f"{second_copies}: at most DELIVERY_RECORD_EVERY per killed process"
    assert survivor.process.poll() is None


def test_the_counts_the_pages_read_equal_the_rows_after_two_workers_fail_and_fall_back_hundreds_at_once(
    workers, legal, incident, smtp_server, twilio_server, fcm_server
):
    notice = approved_notice(incident)
    sending.notice_plan_update(actor=legal, notice=notice, overrides={"US-CA": {"alerts": ["push"], "fallback": ["sms"]}})
    people(incident, 200)
    people(incident, 60, prefix="de", jurisdiction="DE", fcm_token=None)
    # One person in three bounces by e-mail (then falls back to SMS); in Germany every fifth number is refused.
    for index in range(0, 200, 3):
        smtp_server.refuse(f"p{index}@example.org")
    for index in range(0, 60, 5):
        twilio_server.reject(f"+1415555{index:04d}", 21211)
    workers.start(concurrency=2)

    sending.notice_send(actor=legal, notice=notice)

    wait_until(lambda: _all_final(notice), timeout=180, message=f"still open: {_statuses(notice)}")
    figures = kept(notice)
    assert figures == counted(notice)
    assert figures["fallen_back"]["email"] == 67
    tally_compact(DeliveryTally, [notice.pk])
    tally_compact(ReachTally, [notice.pk])
    assert kept(notice) == counted(notice)
