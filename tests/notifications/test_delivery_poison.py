"""One poisoned person (a name no e-mail can encode, a Web Push subscriber with no VAPID key)
never holds back anyone else: their delivery fails with a reason, everybody else is reached."""

from __future__ import annotations

import pytest

from notifications.delivery import batch, queue, sending, sweep
from notifications.models import Delivery
from tests.notifications.delivery_helpers import approved_notice, people, person

SUBSCRIPTION = {"endpoint": "https://push.example.org/sub/1", "keys": {"p256dh": "key", "auth": "auth"}}


@pytest.fixture
def providers(settings, smtp_server, fcm_server):
    settings.EMAIL_RATE_PER_SECOND = settings.PUSH_RATE_PER_SECOND = 0
    settings.CELERY_BROKER_URL = "memory://"
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    settings.DELIVERY_BATCH_SIZE = 50
    return smtp_server


class Worker:
    """What the broker and a worker do with queued batches, run in turn: a batch queued with a
    countdown (a retry) waits for a later round."""

    def __init__(self) -> None:
        self.now: list[list[int]] = []
        self.later: list[list[int]] = []

    def __call__(self, ids, countdown=0) -> None:
        (self.later if countdown else self.now).append(list(ids))

    def run(self) -> None:
        while self.now:
            report = batch.deliveries_send_batch(delivery_ids=self.now.pop(0))
            if report.released:
                self(report.released)
            queue.retries_schedule(retries=report.retry_ids or [], send=self)


def test_poisoned_people_fail_with_a_reason_and_everyone_else_is_reached_within_one_sweep(
    providers, legal, incident, api_as
):
    smtp = providers
    notice = approved_notice(incident, channels=("email", "push"))
    good = people(incident, 300, phone=None, fcm_token=None)
    surrogate = person(incident, "poison-name", name="x\udfff", email="poison@example.org")
    surrogate.save()
    webpush = person(incident, "poison-push", email="webpush@example.org", webpush_subscription=SUBSCRIPTION)
    webpush.save()
    sending.notice_send(actor=legal, notice=notice)
    worker = Worker()

    queue.notice_dispatch(notice_id=notice.pk, send=worker)
    worker.run()
    sweep.deliveries_sweep(send=worker)
    worker.run()

    reached = {mail.rcpt_tos[0] for mail in smtp.messages}
    assert {f"{row.external_id}@example.org" for row in good} <= reached
    assert "webpush@example.org" in reached
    poisoned = Delivery.objects.filter(
        recipient__external_id="poison-name", channel="email"
    ).get(), Delivery.objects.get(recipient__external_id="poison-push", channel="push")
    for delivery in poisoned:
        assert delivery.status == "failed", delivery.error_text
        assert delivery.error_code and delivery.error_text
        assert delivery.attempts == 1
    assert poisoned[0].error_code == "UnicodeEncodeError"
    assert not Delivery.objects.filter(notice=notice, status__in=("queued", "sending")).exists()

    names, url = [], f"/api/incidents/{incident.ref}/recipients/"
    while url:
        response = api_as(legal).get(url)
        assert response.status_code == 200
        names += [row["name"] for row in response.json()["results"]]
        url = response.json()["next"]
    assert len(names) == 302 and "x\ufffd" in names


def test_the_sweep_never_mixes_deliveries_of_two_notices_in_one_batch(providers, legal, incident, settings):
    settings.DELIVERY_REQUEUE_SECONDS = 0
    first, second = approved_notice(incident, channels=("email",)), approved_notice(incident, channels=("email",))
    people(incident, 3, phone=None, fcm_token=None)
    for notice in (first, second):
        sending.notice_send(actor=legal, notice=notice)
    worker = Worker()

    sweep.deliveries_sweep(send=worker)

    assert worker.now
    for ids in worker.now:
        assert len(set(Delivery.objects.filter(id__in=ids).values_list("notice_id", flat=True))) == 1
