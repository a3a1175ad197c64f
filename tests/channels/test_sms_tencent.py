"""Tencent Cloud SMS: the real tencentcloud-sdk-python-sms against the local fake, signatures checked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications.channels.base import OutboundMessage, TransportError, transport_for

TEMPLATE = "2105873"
REGISTERED = "您的个人信息可能受到安全事件{1}影响（{2}），详情请查看：{3}"
LINK = "https://breach.example.com/p/k3Jx9"


@pytest.fixture
def tencent(tencent_sms_server):
    tencent_sms_server.register_template(TEMPLATE, REGISTERED)
    return tencent_sms_server


def _sms(to: str = "+8613800138000", link: str = LINK, **overrides) -> OutboundMessage:
    fields = {
        "to_address": to,
        "text": f"您的个人信息可能受到安全事件INC-2026-0001影响（3月27日），详情请查看：{link}",
        "template": TEMPLATE,
        "template_params": {"1": "INC-2026-0001", "2": "3月27日", "3": link},
        "metadata": {"delivery": "42"},
    }
    return OutboundMessage(**{**fields, **overrides})


def test_sms_goes_out_with_the_registered_signature_template_and_parameters_in_order(tencent):
    with transport_for("sms_tencent") as sms:
        serial_no = sms.send(_sms())

    [message] = tencent.messages
    assert serial_no == message.serial_no
    assert (message.phone_number, message.sign_name, message.template_id) == (
        "+8613800138000",
        "Breachline",
        TEMPLATE,
    )
    assert message.params == ["INC-2026-0001", "3月27日", LINK]
    assert (
        message.text
        == f"【Breachline】您的个人信息可能受到安全事件INC-2026-0001影响（3月27日），详情请查看：{LINK}"
    )
    assert message.session_context == "42"


def test_a_wrong_secret_key_fails_the_tc3_signature_check_and_is_retryable(tencent, settings):
    settings.TENCENT_SMS_SECRET_KEY = "not-the-key"

    with transport_for("sms_tencent") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "AuthFailure.SignatureFailure")
    assert tencent.messages == []


@pytest.mark.parametrize(
    "code", ["InvalidParameterValue.IncorrectPhoneNumber", "FailedOperation.PhoneNumberInBlacklist"]
)
def test_an_invalid_or_blocked_number_is_a_permanent_failure(tencent, code):
    tencent.reject("+8613900000000", code)

    with transport_for("sms_tencent") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms("+8613900000000"))

    assert (failure.value.permanent, failure.value.code) == (True, code)
    assert tencent.messages == []


def test_a_template_not_yet_approved_is_a_permanent_failure(tencent):
    tencent.register_template("2105999", REGISTERED, approved=False)

    with transport_for("sms_tencent") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms(template="2105999"))

    assert (failure.value.permanent, failure.value.code) == (
        True,
        "FailedOperation.TemplateIncorrectOrUnapproved",
    )


def test_parameters_by_name_are_refused_before_any_call(tencent):
    with transport_for("sms_tencent") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms(template_params={"ref": "INC-2026-0001", "link": LINK}))

    assert (failure.value.permanent, failure.value.code) == (True, "template_params")
    assert tencent.calls == 0


def test_rate_limiting_is_retryable_and_a_retry_goes_through(tencent):
    tencent.fail_next(1, code="RequestLimitExceeded")

    with transport_for("sms_tencent") as sms:
        with pytest.raises(TransportError) as failure:
            sms.send(_sms())
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "RequestLimitExceeded")
    assert len(tencent.messages) == 1


def test_a_numbers_daily_limit_is_retryable(tencent):
    tencent.reject("+8613900000000", "LimitExceeded.PhoneNumberDailyLimit")

    with transport_for("sms_tencent") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms("+8613900000000"))

    assert (failure.value.permanent, failure.value.code) == (False, "LimitExceeded.PhoneNumberDailyLimit")


@pytest.mark.parametrize(("status", "code"), [(200, "InternalError"), (502, "ServerNetworkError")])
def test_server_errors_are_retryable(tencent, status, code):
    tencent.fail_next(1, code="InternalError", status=status)

    with transport_for("sms_tencent") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, code)


def test_unreachable_tencent_is_retryable(tencent):
    tencent.stop()

    with transport_for("sms_tencent") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "connection")


def test_tencent_that_does_not_answer_in_time_is_retryable(tencent, settings):
    settings.PROVIDER_TIMEOUT_SECONDS = 0.2
    tencent.delay_next(1, seconds=2.0)

    with transport_for("sms_tencent") as sms, pytest.raises(TransportError) as failure:
        sms.send(_sms())

    assert (failure.value.permanent, failure.value.code) == (False, "timeout")


def test_send_many_puts_up_to_200_numbers_with_the_same_parameters_in_one_call(tencent):
    messages = [_sms(f"+86138{index:08d}") for index in range(250)]

    with transport_for("sms_tencent") as sms:
        results = sms.send_many(messages)

    received = tencent.wait_for(250)
    assert tencent.calls == 2
    assert results == [message.serial_no for message in received]
    assert tencent.received.duplicates() == {}


def test_send_many_gives_each_personal_link_its_own_call_and_keeps_mainland_and_abroad_apart(tencent):
    messages = [
        _sms("+8613800000001", f"{LINK}1"),
        _sms("+8613800000002", f"{LINK}2"),
        _sms("+6581234567"),
        _sms(),
    ]

    with transport_for("sms_tencent") as sms:
        results = sms.send_many(messages)

    assert all(isinstance(result, str) for result in results)
    assert tencent.calls == 4
    by_number = {message.phone_number: message.params[2] for message in tencent.messages}
    assert by_number == {
        "+8613800000001": f"{LINK}1",
        "+8613800000002": f"{LINK}2",
        "+6581234567": LINK,
        "+8613800138000": LINK,
    }


def test_one_refused_number_in_a_call_does_not_refuse_the_others(tencent):
    tencent.reject("+8613800000002", "FailedOperation.PhoneNumberInBlacklist")

    with transport_for("sms_tencent") as sms:
        first, second = sms.send_many([_sms("+8613800000001"), _sms("+8613800000002")])

    assert isinstance(first, str)
    assert (second.permanent, second.code) == (True, "FailedOperation.PhoneNumberInBlacklist")
    assert [message.phone_number for message in tencent.messages] == ["+8613800000001"]


def test_pulled_receipts_map_report_status_to_delivery_statuses_once(tencent):
    tencent.finish_as("+8613900000001", "DELIVRD_FAIL")

    with transport_for("sms_tencent") as sms:
        delivered = sms.send(_sms("+8613900000000"))
        undelivered = sms.send(_sms("+8613900000001"))
        receipts = {receipt.provider_id: receipt for receipt in sms.receipts()}
        again = sms.receipts()

    assert (receipts[delivered].status, receipts[delivered].reference) == ("delivered", "42")
    assert (receipts[undelivered].status, receipts[undelivered].code) == ("undelivered", "DELIVRD_FAIL")
    assert again == []


def test_tencent_without_an_sdk_app_id_is_a_configuration_error(settings):
    settings.TENCENT_SMS_SECRET_ID, settings.TENCENT_SMS_SECRET_KEY = "AKID", "key"
    settings.TENCENT_SMS_SDK_APP_ID = ""

    with pytest.raises(ImproperlyConfigured, match="TENCENT_SMS_SDK_APP_ID"):
        transport_for("sms_tencent")
