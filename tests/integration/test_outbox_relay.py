"""Sending while the broker is down, and the process that sent dies: the dispatch waits in the outbox
(committed with the deliveries) and beat's relay publishes it within seconds of the broker's return.
Nothing is left to the 30-minute sweep, which here could not re-queue anything younger anyway."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
from django.conf import settings

from notifications.delivery import completion, queue, sending
from notifications.models import Delivery, NoticeDispatch
from tests.broker import DEAD_BROKER, broker_at
from tests.integration.conftest import CELERY, ROOT, wait_until
from tests.notifications.delivery_helpers import approved_notice, people

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

def test_a_dispatch_recorded_while_the_broker_was_down_starts_within_seconds_of_its_return_without_its_process(
    monkeypatch, workers, worker_env, tmp_path, legal, incident, smtp_server
):
    notice = approved_notice(incident, channels=("email",))
    people(incident, 40, phone=None, fcm_token=None)
    live_broker = settings.CELERY_BROKER_URL
    broker_at(monkeypatch, DEAD_BROKER)

    sending.notice_send(actor=legal, notice=notice)

    assert queue.dispatch_waiting(notice_id=notice.pk)
    assert Delivery.objects.filter(notice=notice, status="queued", enqueued_at__isnull=True).count() == 40
    # The process that recorded the dispatch is gone: nothing of it survives but the committed rows.
    broker_at(monkeypatch, live_broker)
    workers.start(concurrency=2)
    env = {**worker_env, "DISPATCH_RELAY_SECONDS": "1", "DELIVERY_SWEEP_SECONDS": "3600",
           "DELIVERY_REQUEUE_SECONDS": "1800"}
    beat = subprocess.Popen(
        [CELERY, "-A", "config", "beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")],
        cwd=ROOT, env={**os.environ, **env}, stdout=(tmp_path / "beat.log").open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        wait_until(lambda: not completion.open_deliveries(notice_id=notice.pk).exists(), timeout=90,
                   message=f"beat: {(tmp_path / 'beat.log').read_text(errors='replace')[-2000:]}")
    finally:
        os.killpg(beat.pid, signal.SIGTERM)
        beat.wait(timeout=30)

    assert sorted(mail.rcpt_tos[0] for mail in smtp_server.messages) == sorted(f"p{i}@example.org" for i in range(40))
    [dispatch] = NoticeDispatch.objects.filter(notice=notice)
    assert dispatch.published_at is not None and dispatch.attempts >= 2
