"""Alibaba Cloud SMS: the real alibabacloud-dysmsapi20170525 SDK against the local fake, signatures checked."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications.channels.base import OutboundMessage, TransportError, transport_for

TEMPLATE = "SMS_480215001"
REGISTERED = "您的个人信息可能受到安全事件${ref}影响（${date}），详情请查看：${link}"
LINK = "https://breach.example.com/p/k3Jx9"


@pytest.fixture
def aliyun(aliyun_sms_server):
    aliyun_sms_server.register_template(TEMPLATE, REGISTERED)
    return aliyun_sms_server


def _sms(to: str = "+8613800138000", **overrides) -> OutboundMessage:
    fields = {
        "to_address": to,
        "text": f"您的个人信息可能受到安全事件INC-2026-0001影响（3月27日），详情请查看：{LINK}",
        "template": TEMPLATE,
        "template_params": {"ref": "INC-2026-0001", "date": "3月27日", "link": LINK},
        "metadata": {"delivery": "42"},
    }
    return OutboundMessage(**{**fields, **overrides})


def test_sms_goes_out_with_the_registered_signature_template_and_parameters(aliyun):
    with transport_for("sms_aliyun") as sms:
        provider_id = sms.send(_sms())

    [message] = aliyun.messages
    assert provider_id == f"{message.biz_id}:13800138000"
    assert message.phone_number == "13800138000"
    assert (message.sign_name, message.template_code) == ("Breachline", TEMPLATE)
    assert message.params == {"ref": "INC-2026-0001", "date": "3月27日", "link": LINK}
    assert (
        message.text
        == f"【Breachline】您的个人信息可能受到安全事件INC-2026-0001影响（3月27日），详情请查看：{LINK}"
    )
    assert (message.out_id, message.action) == ("42", "SendSms")


def test_a_wrong_access_key_secret_fails_the_signature_check_and_is_retryable(aliyun, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "not-the-secret"

    with transport_for("sms_aliyun") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "SignatureDoesNotMatch")
    assert aliyun.messages == []


def test_an_unknown_access_key_is_our_configuration_not_the_persons(aliyun, settings):
    settings.ALIYUN_SMS_ACCESS_KEY_ID = "LTAI-someone-else"

    with transport_for("sms_aliyun") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "InvalidAccessKeyId.NotFound")


@pytest.mark.parametrize("code", ["isv.MOBILE_NUMBER_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT"])
def test_an_invalid_or_blocked_number_is_a_permanent_failure(aliyun, code):
    aliyun.reject("13900000000", code)

    with transport_for("sms_aliyun") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms("+8613900000000"))

    assert (failure.value.permanent, failure.value.code) == (True, code)
    assert aliyun.messages == []


def test_a_number_alibaba_cannot_parse_is_a_permanent_failure(aliyun):
    with transport_for("sms_aliyun") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms("+86123"))

    assert (failure.value.permanent, failure.value.code) == (True, "isv.MOBILE_NUMBER_ILLEGAL")


def test_a_template_not_yet_approved_is_a_permanent_failure(aliyun):
    aliyun.register_template("SMS_PENDING", REGISTERED, approved=False)

    with transport_for("sms_aliyun") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms(template="SMS_PENDING"))

    assert (failure.value.permanent, failure.value.code) == (True, "isv.SMS_TEMPLATE_ILLEGAL")


def test_a_template_parameter_left_out_is_a_permanent_failure(aliyun):
    with transport_for("sms_aliyun") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms(template_params={"ref": "INC-2026-0001", "link": LINK}))

    assert (failure.value.permanent, failure.value.code) == (True, "isv.TEMPLATE_MISSING_PARAMETERS")


def test_a_message_without_a_registered_template_is_refused_before_any_call(aliyun):
    with transport_for("sms_aliyun") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms(template="", template_params={}))

    assert (failure.value.permanent, failure.value.code) == (True, "no_template")
    assert aliyun.calls == 0


def test_flow_control_is_retryable_and_a_retry_goes_through(aliyun):
    aliyun.fail_next(1, code="isv.BUSINESS_LIMIT_CONTROL")

    with transport_for("sms_aliyun") as sms:
        with pytest.raises(TransportError) as failure:
            sms.send(_sms())
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "isv.BUSINESS_LIMIT_CONTROL")
    assert len(aliyun.messages) == 1
    assert aliyun.calls == 2


def test_a_server_error_is_retryable(aliyun):
    aliyun.fail_next(1, status=500)

    with transport_for("sms_aliyun") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "ServiceUnavailable")


def test_unreachable_alibaba_is_retryable(aliyun):
    aliyun.stop()

    with transport_for("sms_aliyun") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "connection")


def test_alibaba_that_does_not_answer_in_time_is_retryable(aliyun, settings):
    settings.PROVIDER_TIMEOUT_SECONDS = 0.2
    aliyun.delay_next(1, seconds=1.0)

    with transport_for("sms_aliyun") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "timeout")


def test_send_many_uses_send_batch_sms_with_each_persons_own_link_100_numbers_a_call(aliyun):
    messages = [
        _sms(
            f"+86138{index:08d}",
            template_params={"ref": "INC-2026-0001", "date": "3月27日", "link": f"{LINK}{index}"},
        )
        for index in range(150)
    ]

    with transport_for("sms_aliyun") as sms:
        results = sms.send_many(messages)

    received = aliyun.wait_for(150)
    assert aliyun.calls == 2
    assert {message.action for message in received} == {"SendBatchSms"}
    assert [result.rpartition(":")[2] for result in results] == [f"138{index:08d}" for index in range(150)]
    by_number = {message.phone_number: message.params["link"] for message in received}
    assert by_number["13800000007"] == f"{LINK}7"
    assert aliyun.received.duplicates() == {}


def test_a_refused_batch_refuses_each_of_its_messages_and_the_others_go_out(aliyun):
    aliyun.register_template("SMS_PENDING", REGISTERED, approved=False)
    messages = [_sms("+8613800000001"), _sms("+8613800000002", template="SMS_PENDING"), _sms(template="")]

    with transport_for("sms_aliyun") as sms:
        sent, pending, untemplated = sms.send_many(messages)

    assert sent.endswith(":13800000001")
    assert (pending.permanent, pending.code) == (True, "isv.SMS_TEMPLATE_ILLEGAL")
    assert (untemplated.permanent, untemplated.code) == (True, "no_template")
    assert [message.phone_number for message in aliyun.messages] == ["13800000001"]


def test_receipts_map_alibaba_send_status_to_delivery_statuses(aliyun):
    aliyun.finish_as("13900000001", "MK:0001", status=2)
    aliyun.finish_as("13900000002", status=1)

    with transport_for("sms_aliyun") as sms:
        delivered = sms.send(_sms("+8613900000000"))
        undelivered = sms.send(_sms("+8613900000001"))
        pending = sms.send(_sms("+8613900000002"))
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        receipts = [
            sms.receipt(provider_id=provider_id, sent_on=today)
            for provider_id in (delivered, undelivered, pending)
        ]

    first, second, third = receipts
    assert (first.status, first.to_address, first.reference, first.code) == (
        "delivered",
        "+8613900000000",
        "42",
        "",
    )
    assert (second.status, second.code) == ("undelivered", "MK:0001")
    assert third is None


def test_alibaba_without_credentials_is_a_configuration_error(settings):
    settings.ALIYUN_SMS_ACCESS_KEY_ID = ""

    with pytest.raises(ImproperlyConfigured, match="ALIYUN_SMS_ACCESS_KEY_ID"):
        transport_for("sms_aliyun")
