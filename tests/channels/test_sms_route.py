"""The sms channel's route: Tencent, then Alibaba, then Twilio, each through its real SDK and fake; push to JPush."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications.channels.base import OutboundMessage, RouteStep, TransportError, transport_for

LINK_KEY = "k3Jx9"
TEXT = "您的个人信息可能受到安全事件INC-2026-0001影响，详情请查看：https://breach.example.com/n/k3Jx9/"
ROUTE = (
    RouteStep("sms_tencent", "2105873", {"1": "INC-2026-0001", "2": LINK_KEY}, TEXT),
    RouteStep("sms_aliyun", "SMS_480215001", {"ref": "INC-2026-0001", "key": LINK_KEY}, TEXT),
    RouteStep("sms_twilio"),
)


@pytest.fixture
def providers(tencent_sms_server, aliyun_sms_server, twilio_server):
    tencent_sms_server.register_template(
        "2105873", "您的个人信息可能受到安全事件{1}影响，详情请查看：https://breach.example.com/n/{2}/"
    )
    aliyun_sms_server.register_template(
        "SMS_480215001",
        "您的个人信息可能受到安全事件${ref}影响，详情请查看：https://breach.example.com/n/${key}/",
    )
    return tencent_sms_server, aliyun_sms_server, twilio_server


def _sms(to: str = "+8613800138000", route=ROUTE) -> OutboundMessage:
    return OutboundMessage(
        to_address=to, text="Free text for Twilio: https://breach.example.com/n/k3Jx9/", route=route
    )


def test_the_first_provider_of_the_route_takes_the_message_and_no_other_sees_it(providers):
    tencent, aliyun, twilio = providers

    with transport_for("sms") as sms:
        provider_id = sms.send(_sms())

    [message] = tencent.messages
    assert provider_id == f"sms_tencent:{message.serial_no}"
    assert message.text == f"【Breachline】{TEXT}"
    assert (aliyun.calls, twilio.attempts) == (0, 0)


def test_a_tencent_outage_falls_back_to_alibaba_once(providers):
    tencent, aliyun, twilio = providers
    tencent.stop()

    with transport_for("sms") as sms:
        provider_id = sms.send(_sms())

    [message] = aliyun.messages
    assert provider_id == f"sms_aliyun:{message.biz_id}:13800138000"
    assert message.text == f"【Breachline】{TEXT}"
    assert twilio.attempts == 0


def test_a_template_tencent_has_not_approved_falls_back_to_alibaba(providers):
    tencent, aliyun, _ = providers
    tencent.register_template("2105873", "pending", approved=False)

    with transport_for("sms") as sms:
        sms.send(_sms())

    assert (len(tencent.messages), len(aliyun.messages)) == (0, 1)


def test_a_tencent_that_times_out_is_not_followed_by_alibaba_so_nobody_gets_two(providers, settings):
    tencent, aliyun, _ = providers
    settings.PROVIDER_TIMEOUT_SECONDS = 0.2
    tencent.delay_next(1, seconds=2.0)

    with transport_for("sms") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "timeout")
    assert aliyun.calls == 0


def test_when_both_chinese_providers_fail_twilio_sends_the_free_text(providers):
    tencent, aliyun, twilio = providers
    tencent.fail_next(1, code="InternalError")
    aliyun.fail_next(1, status=500)

    with transport_for("sms") as sms:
        sid = sms.send(_sms())

    [message] = twilio.messages
    assert (sid, message.to, message.body) == (message.sid, "+8613800138000", _sms().text)


def test_a_number_every_provider_refuses_is_a_permanent_failure(providers):
    tencent, aliyun, twilio = providers
    tencent.reject("+8613800138000", "FailedOperation.PhoneNumberInBlacklist")
    aliyun.reject("13800138000", "isv.BLACK_KEY_CONTROL_LIMIT")
    twilio.reject("+8613800138000", 21610)

    with transport_for("sms") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (True, "21610")


def test_a_provider_of_the_route_that_is_not_configured_is_skipped(providers, settings):
    _, aliyun, _ = providers
    settings.TENCENT_SMS_SECRET_ID = ""

    with transport_for("sms") as sms:
        sms.send(_sms())

    assert len(aliyun.messages) == 1


def test_without_a_route_the_message_goes_through_twilio(providers):
    tencent, _, twilio = providers

    with transport_for("sms") as sms:
        sms.send(_sms("+6581234567", route=()))

    assert [message.to for message in twilio.messages] == ["+6581234567"]
    assert tencent.calls == 0


def test_sms_with_no_provider_configured_is_a_configuration_error(settings):
    settings.TWILIO_ACCOUNT_SID = ""

    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID"):
        transport_for("sms")


def test_push_to_a_jpush_address_goes_through_jpush_and_a_token_through_fcm(jpush_server, fcm_server):
    with transport_for("push") as push:
        jpush_id = push.send(
            OutboundMessage(to_address="jpush:1a0018970af2b3c4d5e", text="通知", subject="重要")
        )
        push.send(OutboundMessage(to_address="app-token-1", text="Notice", subject="Important"))

    [message] = jpush_server.messages
    assert jpush_id == f"jpush:{message.msg_id}"
    assert message.registration_ids == ["1a0018970af2b3c4d5e"]
    assert [message.token for message in fcm_server.messages] == ["app-token-1"]
