"""The SMS transport: the real twilio SDK against the local fake Messages API."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from twilio.request_validator import RequestValidator

from notifications.channels.base import OutboundMessage, TransportError, transport_for
from tests.fakes.http import FakeHTTPServer, Reply, Request

TEXT = "There is an important notice about your account: https://notice.test/n/abc"


def _sms(to: str = "+14155550100", **overrides) -> OutboundMessage:
    return OutboundMessage(
        **{"to_address": to, "text": TEXT, "callback_path": "/webhooks/twilio/status/", **overrides}
    )


def test_sms_send_returns_the_sid_and_twilio_got_exactly_what_we_sent(twilio_server):
    with transport_for("sms") as sms:
        sid = sms.send(_sms())

    assert re.fullmatch(r"SM[0-9a-f]{32}", sid)
    [message] = twilio_server.messages
    assert message.sid == sid
    assert message.to == "+14155550100"
    assert message.body == TEXT
    assert message.from_ == "+15005550006"
    assert message.messaging_service_sid is None
    assert message.status_callback == "http://testserver/webhooks/twilio/status/"


def test_sms_uses_the_messaging_service_instead_of_a_from_number_when_set(twilio_server, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "0" * 32

    with transport_for("sms") as sms:
        sms.send(_sms())

    [message] = twilio_server.messages
    assert message.messaging_service_sid == "MG" + "0" * 32
    assert message.from_ is None


@pytest.mark.parametrize("code", [21211, 21610, 21614, 21408])
def test_refused_numbers_are_permanent_failures(twilio_server, code):
    twilio_server.reject("+14155550199", code)

    with transport_for("sms") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms("+14155550199"))

    assert failure.value.permanent is True
    assert failure.value.code == str(code)
    assert twilio_server.messages == []


def test_a_number_twilio_cannot_parse_is_a_permanent_21211(twilio_server):
    with transport_for("sms") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms("0155 555 0100"))

    assert (failure.value.permanent, failure.value.code) == (True, "21211")


@pytest.mark.parametrize(("status", "code"), [(429, "20429"), (500, "20500")])
def test_rate_limits_and_server_errors_are_retryable_and_a_retry_goes_through(twilio_server, status, code):
    twilio_server.fail_next(1, status=status)

    with transport_for("sms") as sms:
        with pytest.raises(TransportError) as failure:
            sms.send(_sms())
        sid = sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, code)
    assert [message.sid for message in twilio_server.messages] == [sid]
    assert twilio_server.attempts == 2


def test_wrong_credentials_are_retryable_not_the_persons_fault(twilio_server, settings):
    settings.TWILIO_AUTH_TOKEN = "not-the-token"

    with transport_for("sms") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "20003")


def test_unreachable_twilio_is_retryable(twilio_server):
    twilio_server.stop()

    with transport_for("sms") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "connection")


def test_status_callbacks_carry_a_signature_the_sdk_validator_accepts(twilio_server):
    with transport_for("sms") as sms:
        sid = sms.send(_sms())

    callback = twilio_server.status_callback_request(sid, "undelivered", error_code=30003)

    assert callback.url == "http://testserver/webhooks/twilio/status/"
    assert callback.params["MessageSid"] == sid
    assert callback.params["MessageStatus"] == "undelivered"
    assert callback.params["ErrorCode"] == "30003"
    validator = RequestValidator(twilio_server.auth_token)
    assert validator.validate(callback.url, callback.params, callback.signature)
    assert not RequestValidator("another-token").validate(callback.url, callback.params, callback.signature)


class _Webhook(FakeHTTPServer):
    """Stands in for our own webhook endpoint: records what Twilio posts to it."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[Request] = []

    def handle(self, request: Request) -> Reply:
        with self.lock:
            self.received.append(request)
        return Reply(204)


def test_the_fake_posts_signed_status_callbacks_on_its_own(twilio_server, settings):
    twilio_server.callbacks = ("sent", "delivered")
    twilio_server.finish_as("+14155550111", "undelivered", 30005)
    with _Webhook() as webhook:
        settings.BREACHLINE_BASE_URL = webhook.base_url
        with transport_for("sms") as sms:
            delivered = sms.send(_sms("+14155550100"))
            undelivered = sms.send(_sms("+14155550111"))
        twilio_server.wait_for_callbacks(4)
        url = f"{webhook.base_url}/webhooks/twilio/status/"

    statuses = [
        (r.form()["MessageSid"], r.form()["MessageStatus"], r.form().get("ErrorCode"))
        for r in webhook.received
    ]
    assert sorted(statuses) == sorted(
        [
            (delivered, "sent", None),
            (delivered, "delivered", None),
            (undelivered, "sent", None),
            (undelivered, "undelivered", "30005"),
        ]
    )
    validator = RequestValidator(twilio_server.auth_token)
    assert all(validator.validate(url, r.form(), r.headers["x-twilio-signature"]) for r in webhook.received)
    assert [callback.response_status for callback in twilio_server.callbacks_posted] == [204] * 4


def test_a_twilio_that_does_not_answer_in_time_is_retryable(twilio_server, settings):
    settings.PROVIDER_TIMEOUT_SECONDS = 0.2
    twilio_server.delay_next(1, seconds=1.0)

    with transport_for("sms") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "timeout")


def test_a_transport_sends_again_after_it_was_closed(twilio_server):
    sms = transport_for("sms")
    sms.send(_sms())
    sms.close()
    sms.send(_sms())

    assert len(twilio_server.messages) == 2


def test_sms_without_credentials_is_a_configuration_error_not_a_send_failure(settings):
    settings.TWILIO_ACCOUNT_SID = ""

    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID"):
        transport_for("sms")


def test_an_unknown_channel_is_refused():
    with pytest.raises(ValueError, match="unknown channel 'fax'"):
        transport_for("fax")
