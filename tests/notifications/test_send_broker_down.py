"""Sending while the broker is down: the notice and its dispatch are recorded in the database (the outbox),
the answer says so (503), and the relay beat runs every few seconds publishes the dispatch once the broker
is back, even when the process that recorded it is gone: never left for the 30-minute sweep."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from notifications import tasks
from notifications.delivery import queue
from notifications.models import Delivery, NoticeDispatch
from tests.broker import DEAD_BROKER, broker_at, broker_messages, filesystem_broker_at
from tests.notifications.delivery_helpers import approved_notice, people

# Real commits: the dispatch is published after the transaction that started sending commits.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def notice(incident):
    people(incident, 3, phone=None, fcm_token=None)
    return approved_notice(incident, channels=("email",))


def test_send_with_the_broker_down_answers_503_and_the_relay_publishes_it_once_the_broker_is_back(
    monkeypatch, tmp_path, api_as, legal, notice
):
    broker_at(monkeypatch, DEAD_BROKER)

    response = api_as(legal).post(f"/api/notices/{notice.pk}/send/")

    assert response.status_code == 503
    assert response.json()["detail"] == "queued, will start when the broker is back"
    assert response.json()["status"] == "sending"
    assert Delivery.objects.filter(notice=notice, status="queued").count() == 3

    again = api_as(legal).post(f"/api/notices/{notice.pk}/send/")
    assert again.status_code == 503
    assert again.json()["already"] == "Already sending: 3 deliveries queued, 0 sent."

    # The dispatch is a row, committed with the deliveries; the web process holds nothing.
    [dispatch] = NoticeDispatch.objects.filter(notice=notice)
    assert dispatch.published_at is None and dispatch.last_error
    assert queue.dispatches_relay() == 0, "the broker is still down"

    folder = tmp_path / "broker"
    filesystem_broker_at(monkeypatch, folder)
    assert tasks.dispatches_relay() == 1

    assert broker_messages(folder) == [{"task": queue.NOTICE_DISPATCH, "args": f"[{notice.pk}]"}]
    assert not queue.dispatch_waiting(notice_id=notice.pk)
    assert queue.dispatches_relay() == 0, "published once"


def test_a_second_click_with_the_broker_up_says_what_is_already_queued(
    monkeypatch, tmp_path, api_as, legal, notice
):
    folder = tmp_path / "broker"
    filesystem_broker_at(monkeypatch, folder)

    first = api_as(legal).post(f"/api/notices/{notice.pk}/send/")
    again = api_as(legal).post(f"/api/notices/{notice.pk}/send/")

    assert first.status_code == again.status_code == 202
    assert "already" not in first.json()
    assert again.json()["already"] == "Already sending: 3 deliveries queued, 0 sent."
    assert Delivery.objects.filter(notice=notice).count() == 3
    assert broker_messages(folder)[0] == {"task": queue.NOTICE_DISPATCH, "args": f"[{notice.pk}]"}


def test_the_command_with_the_broker_down_exits_75_and_running_it_again_dispatches(monkeypatch, tmp_path, legal, notice):
    broker_at(monkeypatch, DEAD_BROKER)
    with pytest.raises(CommandError, match="when the broker is back") as raised:
        call_command("send_notice", str(notice.pk), "--as", legal.username)
    assert raised.value.returncode == 75
    assert Delivery.objects.filter(notice=notice, status="queued").count() == 3

    folder = tmp_path / "broker"
    filesystem_broker_at(monkeypatch, folder)
    call_command("send_notice", str(notice.pk), "--as", legal.username)

    assert {"task": queue.NOTICE_DISPATCH, "args": f"[{notice.pk}]"} in broker_messages(folder)
