"""Push transports: google-auth + FCM v1 and pywebpush against the local push fakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notifications.channels.base import OutboundMessage, TransportError, transport_for

LINK = "https://notice.test/n/abc"


def _push(to: str, **overrides) -> OutboundMessage:
    fields = {
        "to_address": to,
        "subject": "Important notice",
        "text": "There is an important notice about your account.",
        "link": LINK,
    }
    return OutboundMessage(**{**fields, **overrides})


# FCM.


def test_fcm_send_returns_the_message_name_with_a_token_from_the_token_endpoint(fcm_server):
    with transport_for("fcm") as fcm:
        first = fcm.send(_push("app-token-1", metadata={"delivery": "42"}))
        second = fcm.send(_push("app-token-2"))

    assert first.startswith("projects/breachline-test/messages/")
    assert [message.name for message in fcm_server.messages] == [first, second]
    assert fcm_server.messages[0].message == {
        "token": "app-token-1",
        "notification": {
            "title": "Important notice",
            "body": "There is an important notice about your account.",
        },
        "data": {"delivery": "42", "link": LINK},
    }
    assert fcm_server.token_grants == 1


def test_fcm_fetches_a_new_access_token_when_the_old_one_is_refused(fcm_server):
    with transport_for("fcm") as fcm:
        fcm.send(_push("app-token-1"))
        fcm_server.revoke_access_tokens()
        fcm.send(_push("app-token-2"))

    assert fcm_server.token_grants == 2
    assert len(fcm_server.messages) == 2


def test_fcm_transports_of_later_batches_reuse_the_access_token(fcm_server):
    for batch in range(3):
        with transport_for("fcm") as fcm:
            fcm.send(_push(f"app-token-{batch}"))

    assert fcm_server.token_grants == 1
    assert len(fcm_server.messages) == 3


def test_a_replaced_fcm_credentials_file_is_read_again(fcm_server, settings, tmp_path):
    with transport_for("fcm") as fcm:
        fcm.send(_push("app-token-1"))
    fcm_server.write_service_account(tmp_path / "rotated.json").replace(settings.FCM_CREDENTIALS_FILE)

    with transport_for("fcm") as fcm:
        fcm.send(_push("app-token-2"))

    assert fcm_server.token_grants == 2
    assert len(fcm_server.messages) == 2


@pytest.mark.parametrize("error_code", ["UNREGISTERED", "INVALID_ARGUMENT", "SENDER_ID_MISMATCH"])
def test_fcm_token_that_can_never_work_is_a_permanent_failure(fcm_server, error_code):
    fcm_server.fail_token("stale-token", error_code)

    with transport_for("fcm") as fcm, pytest.raises(TransportError) as failure:
        fcm.send(_push("stale-token"))

    assert (failure.value.permanent, failure.value.code) == (True, error_code)
    assert fcm_server.messages == []


@pytest.mark.parametrize(
    ("status", "code"), [(429, "QUOTA_EXCEEDED"), (500, "INTERNAL"), (503, "UNAVAILABLE")]
)
def test_fcm_quota_and_server_errors_are_retryable(fcm_server, status, code):
    fcm_server.fail_next(1, status=status, retry_after=7)

    with transport_for("fcm") as fcm:
        with pytest.raises(TransportError) as failure:
            fcm.send(_push("app-token-1"))
        fcm.send(_push("app-token-1"))

    assert (failure.value.permanent, failure.value.code, failure.value.retry_after) == (False, code, 7.0)
    assert len(fcm_server.messages) == 1


def test_fcm_unreachable_is_retryable(fcm_server):
    fcm_server.stop()

    with transport_for("fcm") as fcm, pytest.raises(TransportError) as failure:
        fcm.send(_push("app-token-1"))

    assert (failure.value.permanent, failure.value.code) == (False, "connection")


def test_fcm_that_does_not_answer_in_time_is_retryable(fcm_server, settings):
    settings.PROVIDER_TIMEOUT_SECONDS = 0.2
    with transport_for("fcm") as fcm:
        fcm.send(_push("app-token-1"))
        fcm_server.delay_next(1, seconds=1.0)
        with pytest.raises(TransportError) as failure:
            fcm.send(_push("app-token-2"))

    assert (failure.value.permanent, failure.value.code) == (False, "timeout")


def test_fcm_credentials_the_token_endpoint_refuses_are_retryable(fcm_server, settings, tmp_path):
    # A service account the fake never issued: its signature does not verify.
    stranger = json.loads(Path(settings.FCM_CREDENTIALS_FILE).read_text())
    stranger["client_email"] = "someone-else@breachline-test.iam.gserviceaccount.com"
    (tmp_path / "stranger.json").write_text(json.dumps(stranger))
    settings.FCM_CREDENTIALS_FILE = str(tmp_path / "stranger.json")

    with transport_for("fcm") as fcm, pytest.raises(TransportError) as failure:
        fcm.send(_push("app-token-1"))

    assert (failure.value.permanent, failure.value.code) == (False, "auth")
    assert fcm_server.token_grants == 0


# Web Push.


def test_webpush_payload_decrypted_at_the_push_service_is_what_we_sent(webpush_server, settings):
    subscription = webpush_server.new_subscription()

    with transport_for("webpush") as webpush:
        provider_id = webpush.send(_push(subscription.as_json()))

    [received] = webpush_server.messages
    assert json.loads(received.plaintext) == {
        "title": "Important notice",
        "body": "There is an important notice about your account.",
        "url": LINK,
    }
    assert received.endpoint == subscription.endpoint
    assert received.headers["content-encoding"] == "aes128gcm"
    assert received.vapid_claims["sub"] == settings.WEBPUSH_VAPID_SUBJECT
    assert provider_id.startswith(f"{webpush_server.base_url}/m/")


def test_webpush_subscription_gone_is_a_permanent_failure(webpush_server):
    subscription = webpush_server.new_subscription()
    webpush_server.unsubscribe(subscription)

    with transport_for("webpush") as webpush, pytest.raises(TransportError) as failure:
        webpush.send(_push(subscription.as_json()))

    assert (failure.value.permanent, failure.value.code) == (True, "410")
    assert webpush_server.messages == []


def test_webpush_unknown_subscription_is_a_permanent_failure(webpush_server):
    subscription = webpush_server.new_subscription()
    unknown = {**subscription.info, "endpoint": f"{webpush_server.base_url}/wp/never-subscribed"}

    with transport_for("webpush") as webpush, pytest.raises(TransportError) as failure:
        webpush.send(_push(json.dumps(unknown)))

    assert (failure.value.permanent, failure.value.code) == (True, "404")


def test_webpush_malformed_subscription_is_a_permanent_failure(webpush_server):
    with transport_for("webpush") as webpush, pytest.raises(TransportError) as failure:
        webpush.send(_push('{"endpoint": "https://push.example/x"}'))

    assert (failure.value.permanent, failure.value.code) == (True, "invalid_subscription")


@pytest.mark.parametrize("status", [429, 500])
def test_webpush_rate_limits_and_server_errors_are_retryable(webpush_server, status):
    subscription = webpush_server.new_subscription()
    webpush_server.fail_next(1, status=status, retry_after=3)

    with transport_for("webpush") as webpush:
        with pytest.raises(TransportError) as failure:
            webpush.send(_push(subscription.as_json()))
        webpush.send(_push(subscription.as_json()))

    assert (failure.value.permanent, failure.value.code, failure.value.retry_after) == (
        False,
        str(status),
        3.0,
    )
    assert len(webpush_server.messages) == 1


def test_webpush_unreachable_is_retryable(webpush_server):
    subscription = webpush_server.new_subscription()
    webpush_server.stop()

    with transport_for("webpush") as webpush, pytest.raises(TransportError) as failure:
        webpush.send(_push(subscription.as_json()))

    assert (failure.value.permanent, failure.value.code) == (False, "connection")


def test_webpush_service_that_does_not_answer_in_time_is_retryable(webpush_server, settings):
    settings.PROVIDER_TIMEOUT_SECONDS = 0.2
    subscription = webpush_server.new_subscription()
    webpush_server.delay_next(1, seconds=1.0)

    with transport_for("webpush") as webpush, pytest.raises(TransportError) as failure:
        webpush.send(_push(subscription.as_json()))

    assert (failure.value.permanent, failure.value.code) == (False, "timeout")


# Either, by address.


def test_push_channel_routes_app_tokens_to_fcm_and_subscriptions_to_webpush(fcm_server, webpush_server):
    subscription = webpush_server.new_subscription()

    with transport_for("push") as push:
        push.send(_push("app-token-1"))
        push.send(_push(subscription.as_json()))

    assert [message.token for message in fcm_server.messages] == ["app-token-1"]
    assert [message.endpoint for message in webpush_server.messages] == [subscription.endpoint]
