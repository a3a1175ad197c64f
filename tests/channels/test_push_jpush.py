"""JPush: the real jpush package against the local fake Push and Report APIs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications.channels.base import OutboundMessage, TransportError, transport_for

LINK = "https://breach.example.com/p/k3Jx9"
REGISTRATION_ID = "1a0018970af2b3c4d5e"


def _push(to: str = REGISTRATION_ID, **overrides) -> OutboundMessage:
    fields = {
        "to_address": to,
        "subject": "重要通知",
        "text": "关于您账户的一则重要通知。",
        "link": LINK,
        "metadata": {"delivery": "42"},
    }
    return OutboundMessage(**{**fields, **overrides})


def test_push_reaches_the_registration_id_on_android_with_the_link(jpush_server):
    with transport_for("push_jpush") as push:
        msg_id = push.send(_push())

    [message] = jpush_server.messages
    assert msg_id == message.msg_id
    assert message.registration_ids == [REGISTRATION_ID]
    assert message.platform == ["android"]
    assert message.notification["android"] == {
        "alert": "关于您账户的一则重要通知。",
        "title": "重要通知",
        "extras": {"delivery": "42", "link": LINK},
    }
    assert message.options == {"time_to_live": 864000}


def test_a_wrong_master_secret_is_our_configuration_and_retryable(jpush_server, settings):
    settings.JPUSH_MASTER_SECRET = "not-the-secret"

    with transport_for("push_jpush") as push, pytest.raises(TransportError) as failure:
        push.send(_push())

    assert (failure.value.permanent, failure.value.code) == (False, "1004")
    assert jpush_server.messages == []


def test_a_registration_id_jpush_no_longer_knows_is_a_permanent_failure(jpush_server):
    jpush_server.forget("gone-id")

    with transport_for("push_jpush") as push, pytest.raises(TransportError) as failure:
        push.send(_push("gone-id"))

    assert (failure.value.permanent, failure.value.code) == (True, "1011")


@pytest.mark.parametrize(("status", "code"), [(429, "2002"), (500, "1000"), (503, "1030")])
def test_rate_limits_and_server_errors_are_retryable_and_a_retry_goes_through(jpush_server, status, code):
    jpush_server.fail_next(1, status=status)

    with transport_for("push_jpush") as push:
        with pytest.raises(TransportError) as failure:
            push.send(_push())
        push.send(_push())

    assert (failure.value.permanent, failure.value.code) == (False, code)
    assert len(jpush_server.messages) == 1


def test_unreachable_jpush_is_retryable(jpush_server):
    jpush_server.stop()

    with transport_for("push_jpush") as push, pytest.raises(TransportError) as failure:
        push.send(_push())

    assert (failure.value.permanent, failure.value.code) == (False, "connection")


def test_jpush_that_does_not_answer_in_time_is_retryable(jpush_server, settings):
    settings.PROVIDER_TIMEOUT_SECONDS = 0.2
    jpush_server.delay_next(1, seconds=1.0)

    with transport_for("push_jpush") as push, pytest.raises(TransportError) as failure:
        push.send(_push())

    assert (failure.value.permanent, failure.value.code) == (False, "timeout")


def test_delivery_reports_map_to_delivery_statuses(jpush_server):
    jpush_server.not_delivered("foreign-id")

    with transport_for("push_jpush") as push:
        msg_id = push.send(_push())
        receipts = push.receipts(
            msg_id=msg_id, registration_ids=[REGISTRATION_ID, "foreign-id", "never-sent"]
        )

    assert [(receipt.to_address, receipt.status) for receipt in receipts] == [
        (REGISTRATION_ID, "delivered"),
        ("foreign-id", "failed"),
    ]


def test_jpush_without_credentials_is_a_configuration_error(settings):
    settings.JPUSH_APP_KEY = ""

    with pytest.raises(ImproperlyConfigured, match="JPUSH_APP_KEY"):
        transport_for("push_jpush")
