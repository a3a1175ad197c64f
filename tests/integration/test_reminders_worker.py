"""Reminders with two beat processes and two workers at once on PostgreSQL and Redis: one alert per threshold."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from cockpit import tasks
from cockpit.models import Reminder
from incidents import services
from tests.integration.conftest import CELERY, ROOT, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _beat(env: dict[str, str], tmp_path, name: str) -> subprocess.Popen:
    log = (tmp_path / f"{name}.log").open("wb")
    return subprocess.Popen(
        [CELERY, "-A", "config", "beat", "--loglevel=INFO", "-s", str(tmp_path / f"{name}-schedule")],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def test_two_beats_and_two_workers_send_exactly_one_alert_per_duty_and_threshold(
        workers, worker_env, tmp_path, responder, legal, admin_user, smtp_server):
    for user in (responder, legal, admin_user):
        user.email = f"{user.username}@example.org"
        user.save()
    now = timezone.now()
    for title, left in (("Overdue", -timedelta(minutes=10)), ("Within the hour", timedelta(minutes=30)),
                        ("Within six hours", timedelta(hours=5))):
        services.incident_create(actor=responder, title=title, aware_at=now + left - timedelta(hours=72),
                                 affected={"DE": 8}, data_categories=["name", "email_address"])
    workers.start(concurrency=2)
    workers.start(concurrency=2)
    beats = [_beat({**worker_env, "REMINDER_SECONDS": "1"}, tmp_path, f"beat{number}") for number in (1, 2)]
    logs = [tmp_path / f"beat{number}.log" for number in (1, 2)]
    try:
        for _ in range(6):  # ticks queued from elsewhere too, arriving together with the beats' own
            tasks.send_reminders.delay()
        wait_until(lambda: all(log.read_text(errors="replace").count("cockpit.send_reminders") >= 3 for log in logs),
                   timeout=90, message="the beats did not tick")
        wait_until(lambda: Reminder.objects.filter(sent_at__isnull=False).count() == 3, timeout=90,
                   message=f"reminders: {list(Reminder.objects.values_list('minutes_before', 'sent_at'))}")
        time.sleep(5)  # let every queued tick run: none may send again
    finally:
        for beat in beats:
            os.killpg(beat.pid, signal.SIGTERM)
            beat.wait(timeout=30)
    assert sorted(Reminder.objects.values_list("minutes_before", flat=True)) == [0, 60, 360]
    per_person = collections.Counter(mail.rcpt_tos[0] for mail in smtp_server.messages)
    assert per_person == {"rita_responder@example.org": 3, "leo_legal@example.org": 3, "ada_admin@example.org": 1}
