"""Task names are a contract with messages already on a broker: they outlive any move of the code."""

from __future__ import annotations

import pytest

from config.celery import app as celery_app
from notifications.delivery import queue, sending
from notifications.models import Delivery
from tests.notifications.delivery_helpers import approved_notice, people

# The names releases before the notifications split queued their tasks under.
OLD_NAMES = ("notifications.notice_dispatch", "notifications.deliveries_send", "notifications.deliveries_sweep")


@pytest.fixture(autouse=True)
def _tasks_loaded():
    # What a worker does at start-up: import every app's tasks module.
    celery_app.loader.import_default_modules()


def test_every_task_name_an_older_release_queued_is_still_registered_and_is_what_the_queue_sends():
    assert set(OLD_NAMES) <= set(celery_app.tasks)
    assert (queue.NOTICE_DISPATCH, queue.DELIVERIES_SEND, queue.DELIVERIES_SWEEP) == OLD_NAMES


def test_a_batch_handed_to_the_task_found_by_its_old_name_is_sent(settings, legal, incident, smtp_server):
    settings.EMAIL_RATE_PER_SECOND = 0
    notice = approved_notice(incident, channels=["email"])
    people(incident, 3)
    sending.notice_send(actor=legal, notice=notice)
    ids = list(Delivery.objects.filter(notice=notice).values_list("id", flat=True))

    outcome = celery_app.tasks["notifications.deliveries_send"](ids)

    assert outcome == {"sent": 3, "retrying": 0, "failed": 0}
    assert sorted(mail.rcpt_tos[0] for mail in smtp_server.messages) == ["p0@example.org", "p1@example.org", "p2@example.org"]
    assert set(Delivery.objects.filter(notice=notice).values_list("status", flat=True)) == {"sent"}
