"""SMS through Alibaba Cloud SMS (Dysmsapi 2017-05-25). The only module that imports its SDK.

Mainland Chinese carriers deliver only text registered with the provider: a
signature (SignName) and an approved template (TemplateCode) whose ``${name}``
parameters we fill (TemplateParam, JSON). The SDK signs every call with
ACS3-HMAC-SHA256; ``ALIYUN_SMS_ENDPOINT`` points it at another host (tests, a
regional endpoint).

SendSms answers HTTP 200 for business refusals too, with the reason in the
body's ``Code``; the SDK raises only for HTTP errors (signature, key, gateway
throttling, server errors) and network failures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from alibabacloud_dysmsapi20170525 import models as dysms
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi.exceptions import AlibabaCloudException
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.exceptions import DaraException, UnretryableException, ValidateException
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notifications.channels.base import (
    ClosingMixin,
    OutboundMessage,
    Receipt,
    TransportError,
    endpoint_parts,
    network_error,
    provider_timeout,
    registered_template,
)

PROVIDER = "Alibaba Cloud SMS"
DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com"
# SendBatchSms takes at most 100 numbers a call.
BATCH_LIMIT = 100
# Codes that say this message to this number will never be accepted: the number, the person's
# block, or the registered signature / template not matching what we sent (the route then falls
# back to the next provider, where the template may be approved).
PERMANENT_CODES = frozenset(
    {
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.MOBILE_COUNT_OVER_LIMIT",
        "isv.DOMESTIC_NUMBER_NOT_SUPPORTED",
        "isv.BLACK_KEY_CONTROL_LIMIT",
        "isv.SMS_CONTENT_ILLEGAL",
        "isv.SMS_TEMPLATE_ILLEGAL",
        "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.TEMPLATE_PARAMS_ILLEGAL",
        "isv.INVALID_JSON_PARAM",
        "isv.PARAM_LENGTH_LIMIT",
        "isv.PARAM_NOT_SUPPORT_URL",
        "isv.SMS_SIGNATURE_ILLEGAL",
        "isv.SMS_SIGN_ILLEGAL",
        "isv.SIGN_STATE_ILLEGAL",
        "isv.SMS_SIGNATURE_SCENE_ILLEGAL",
        "isv.INVALID_PARAMETERS",
    }
)
# Every other code is retryable: flow control (isv.BUSINESS_LIMIT_CONTROL, isv.DAY_LIMIT_CONTROL),
# the account's balance (isv.OUT_OF_SERVICE), platform errors (isp.SYSTEM_ERROR).
# QuerySendDetails SendStatus: 1 waiting for the carrier's receipt, 2 failed, 3 delivered.
_RECEIPT_STATUS = {2: "undelivered", 3: "delivered"}


class AliyunSmsTransport(ClosingMixin):
    channel = "sms_aliyun"

    def __init__(
        self, *, access_key_id: str, access_key_secret: str, sign_name: str, endpoint: str, timeout: float
    ):
        if not (access_key_id and access_key_secret):
            raise ImproperlyConfigured(
                "Alibaba Cloud SMS needs ALIYUN_SMS_ACCESS_KEY_ID and ALIYUN_SMS_ACCESS_KEY_SECRET."
            )
        if not sign_name:
            raise ImproperlyConfigured("Alibaba Cloud SMS needs ALIYUN_SMS_SIGN_NAME (the registered 签名).")
        self.sign_name = sign_name
        scheme, host = endpoint_parts(endpoint or DEFAULT_ENDPOINT)
        milliseconds = int(timeout * 1000)
        self._client = Client(
            Config(
                access_key_id=access_key_id,
                access_key_secret=access_key_secret,
                endpoint=host,
                protocol=scheme,
                connect_timeout=milliseconds,
                read_timeout=milliseconds,
            )
        )

    @classmethod
    def from_settings(cls) -> AliyunSmsTransport:
        return cls(
            access_key_id=settings.ALIYUN_SMS_ACCESS_KEY_ID,
            access_key_secret=settings.ALIYUN_SMS_ACCESS_KEY_SECRET,
            sign_name=settings.ALIYUN_SMS_SIGN_NAME,
            endpoint=settings.ALIYUN_SMS_ENDPOINT or DEFAULT_ENDPOINT,
            timeout=provider_timeout(),
        )

    def send(self, message: OutboundMessage) -> str:
        """SendSms with the message's template; return ``BizId:number``, the key of its receipt."""
        number = aliyun_number(message.to_address)
        request = dysms.SendSmsRequest(
            phone_numbers=number,
            sign_name=self.sign_name,
            template_code=registered_template(message, PROVIDER),
            template_param=template_param_json(message.template_params),
            out_id=message.metadata.get("delivery") or None,
        )
        body = self._call(self._client.send_sms, request)
        return f"{body.biz_id}:{number}"

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[str | TransportError]:
        """SendBatchSms, up to 100 numbers a call, each with its own parameters.

        Messages are grouped by template (a call has one TemplateCode). Returns,
        in the order given, each message's provider id or the error that refused
        it: a refused call refuses every message in it.
        """
        results: list[str | TransportError | None] = [None] * len(messages)
        groups: dict[str, list[int]] = {}
        for index, message in enumerate(messages):
            try:
                groups.setdefault(registered_template(message, PROVIDER), []).append(index)
            except TransportError as error:
                results[index] = error
        for template, indexes in groups.items():
            for start in range(0, len(indexes), BATCH_LIMIT):
                chunk = indexes[start : start + BATCH_LIMIT]
                numbers = [aliyun_number(messages[i].to_address) for i in chunk]
                request = dysms.SendBatchSmsRequest(
                    phone_number_json=json.dumps(numbers),
                    sign_name_json=json.dumps([self.sign_name] * len(chunk), ensure_ascii=False),
                    template_code=template,
                    template_param_json=json.dumps(
                        [dict(messages[i].template_params) for i in chunk], ensure_ascii=False
                    ),
                )
                try:
                    body = self._call(self._client.send_batch_sms, request)
                except TransportError as error:
                    for i in chunk:
                        results[i] = error
                    continue
                for i, number in zip(chunk, numbers, strict=True):
                    results[i] = f"{body.biz_id}:{number}"
        return [result for result in results if result is not None]

    def receipt(self, *, provider_id: str, sent_on: date) -> Receipt | None:
        """The carrier's verdict on one message (QuerySendDetails), or None while it is still pending.

        ``sent_on`` is the day of sending in China Standard Time, as Alibaba keeps it.
        """
        biz_id, _, number = provider_id.partition(":")
        request = dysms.QuerySendDetailsRequest(
            phone_number=number,
            biz_id=biz_id,
            send_date=sent_on.strftime("%Y%m%d"),
            page_size=10,
            current_page=1,
        )
        body = self._call(self._client.query_send_details, request)
        details = body.sms_send_detail_dtos.sms_send_detail_dto if body.sms_send_detail_dtos else []
        status = _RECEIPT_STATUS.get(int(details[0].send_status or 1)) if details else None
        if status is None:
            return None
        detail, failed = details[0], status != "delivered"
        return Receipt(
            provider_id=provider_id,
            to_address=message_address(detail.phone_num),
            status=status,
            code=(detail.err_code or "") if failed else "",
            detail=f"Alibaba Cloud SMS receipt {detail.err_code}" if failed else "",
            reference=detail.out_id or "",
        )

    def _call(self, method, request):
        """Call the SDK; return the response body whose Code is OK, or raise a classified TransportError."""
        try:
            body = method(request).body
        except AlibabaCloudException as exc:
            raise _classify(exc.code or "", exc.message or str(exc), status=exc.status_code) from exc
        except UnretryableException as exc:
            # The SDK wraps every network failure in one type that keeps only the message.
            raise network_error(PROVIDER, exc, timed_out="timed out" in str(exc).lower()) from exc
        except (DaraException, ValidateException) as exc:
            raise TransportError(
                f"Alibaba Cloud SMS client error: {exc}", permanent=False, code="sdk"
            ) from exc
        if body.code != "OK":
            raise _classify(body.code or "", body.message or "")
        return body


def aliyun_number(address: str) -> str:
    """The number as Alibaba takes it: 11 digits for the mainland, country code and number elsewhere."""
    digits = address.strip().lstrip("+")
    return digits[2:] if address.startswith("+86") else digits


def message_address(number: str) -> str:
    """Our E.164 form of a number in Alibaba's form."""
    return f"+86{number}" if len(number) == 11 and number.startswith("1") else f"+{number}"


def template_param_json(params) -> str | None:
    return json.dumps(dict(params), ensure_ascii=False) if params else None


def _classify(code: str, detail: str, *, status: int | None = None) -> TransportError:
    """Map an Alibaba code to a TransportError.

    HTTP-level refusals (SignatureDoesNotMatch, InvalidAccessKeyId.NotFound,
    Throttling.User, server errors) are our configuration or the platform's
    state, never the person's: retryable, so an operator can fix them before the
    retries run out. Unknown ``isv.`` codes are treated as retryable too, so that
    a new code fails visibly after the retries rather than silently skipping
    the person.
    """
    text = f"{detail} ({code}{f', HTTP {status}' if status else ''})"
    return TransportError(text, permanent=code in PERMANENT_CODES, code=code or str(status or "aliyun"))
