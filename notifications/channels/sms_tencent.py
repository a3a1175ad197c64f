"""SMS through Tencent Cloud SMS (API 2021-01-11). The only module that imports its SDK.

Like every mainland Chinese SMS service it sends only registered text: an
approved signature (SignName) and template (TemplateId) whose ``{1}``, ``{2}``
parameters we fill in order (TemplateParamSet). The SDK signs every call with
TC3-HMAC-SHA256; ``TENCENT_SMS_ENDPOINT`` points it at another host (tests).

A call may refuse everything (the reply's ``Error``: bad signature, template
not approved, throttling) or accept the call and refuse single numbers (each
number's ``Code`` in ``SendStatusSet`` is "Ok" or the reason).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models
from tencentcloud.sms.v20210111.sms_client import SmsClient

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

PROVIDER = "Tencent Cloud SMS"
DEFAULT_ENDPOINT = "https://sms.tencentcloudapi.com"
# SendSms takes at most 200 numbers a call, all mainland or all international.
BATCH_LIMIT = 200
# PullSmsSendStatus hands out at most 100 statuses a call; each status only once.
PULL_LIMIT = 100
# Codes that say this message to this number will never be accepted: the number, the person's
# block, or the registered signature / template not matching (the route then falls back).
PERMANENT_CODES = frozenset(
    {
        "InvalidParameterValue.IncorrectPhoneNumber",
        "FailedOperation.PhoneNumberParseFail",
        "FailedOperation.PhoneNumberInBlacklist",
        "FailedOperation.TemplateIncorrectOrUnapproved",
        "FailedOperation.SignatureIncorrectOrUnapproved",
        "FailedOperation.ContainSensitiveWord",
        "InvalidParameterValue.ContentLengthLimit",
        "InvalidParameterValue.TemplateParameterFormatError",
        "InvalidParameterValue.TemplateParameterLengthLimit",
        "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
        "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber",
    }
)
# Every other code is retryable: frequency limits (LimitExceeded.*, RequestLimitExceeded),
# platform errors (InternalError.*), and our own credentials or balance (AuthFailure.*,
# FailedOperation.InsufficientBalanceInSmsPackage), which an operator can fix.


class TencentSmsTransport(ClosingMixin):
    channel = "sms_tencent"

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        sdk_app_id: str,
        sign_name: str,
        endpoint: str,
        region: str,
        timeout: float,
    ):
        if not (secret_id and secret_key):
            raise ImproperlyConfigured(
                "Tencent Cloud SMS needs TENCENT_SMS_SECRET_ID and TENCENT_SMS_SECRET_KEY."
            )
        if not (sdk_app_id and sign_name):
            raise ImproperlyConfigured(
                "Tencent Cloud SMS needs TENCENT_SMS_SDK_APP_ID and TENCENT_SMS_SIGN_NAME (the registered 签名)."
            )
        self.sdk_app_id = sdk_app_id
        self.sign_name = sign_name
        scheme, host = endpoint_parts(endpoint or DEFAULT_ENDPOINT)
        http = HttpProfile(protocol=scheme, endpoint=host, reqTimeout=max(1, round(timeout)), keepAlive=True)
        self._client = SmsClient(Credential(secret_id, secret_key), region, ClientProfile(httpProfile=http))

    @classmethod
    def from_settings(cls) -> TencentSmsTransport:
        return cls(
            secret_id=settings.TENCENT_SMS_SECRET_ID,
            secret_key=settings.TENCENT_SMS_SECRET_KEY,
            sdk_app_id=settings.TENCENT_SMS_SDK_APP_ID,
            sign_name=settings.TENCENT_SMS_SIGN_NAME,
            endpoint=settings.TENCENT_SMS_ENDPOINT or DEFAULT_ENDPOINT,
            region=settings.TENCENT_SMS_REGION or "ap-guangzhou",
            timeout=provider_timeout(),
        )

    def send(self, message: OutboundMessage) -> str:
        """SendSms to one number; return its SerialNo."""
        [result] = self.send_many([message])
        if isinstance(result, TransportError):
            raise result
        return result

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[str | TransportError]:
        """SendSms to up to 200 numbers a call.

        A call carries one template and one parameter list, so only messages
        with the same template and parameters share a call (a personal link
        makes every message its own). Returns, in the order given, each
        message's SerialNo or the error that refused it.
        """
        results: list[str | TransportError | None] = [None] * len(messages)
        groups: dict[tuple, list[int]] = {}
        for index, message in enumerate(messages):
            try:
                key = (
                    registered_template(message, PROVIDER),
                    template_param_set(message.template_params),
                    _is_mainland(message),
                )
            except TransportError as error:
                results[index] = error
                continue
            groups.setdefault(key, []).append(index)
        for (template, params, _), indexes in groups.items():
            for start in range(0, len(indexes), BATCH_LIMIT):
                chunk = indexes[start : start + BATCH_LIMIT]
                for i, result in zip(
                    chunk, self._send_call(template, params, [messages[i] for i in chunk]), strict=True
                ):
                    results[i] = result
        return [result for result in results if result is not None]

    def receipts(self) -> list[Receipt]:
        """The statuses the carriers reported since the last pull (PullSmsSendStatus), at most 100."""
        request = models.PullSmsSendStatusRequest()
        request.SmsSdkAppId = self.sdk_app_id
        request.Limit = PULL_LIMIT
        response = self._call(self._client.PullSmsSendStatus, request)
        return [
            Receipt(
                provider_id=status.SerialNo,
                to_address=status.PhoneNumber,
                status="delivered" if status.ReportStatus == "SUCCESS" else "undelivered",
                code="" if status.ReportStatus == "SUCCESS" else (status.Description or "FAIL"),
                detail=""
                if status.ReportStatus == "SUCCESS"
                else f"Tencent Cloud SMS receipt: {status.Description}",
                reference=status.SessionContext or "",
            )
            for status in response.PullSmsSendStatusSet or []
        ]

    def _send_call(
        self, template: str, params: tuple[str, ...], messages: list[OutboundMessage]
    ) -> list[str | TransportError]:
        request = models.SendSmsRequest()
        request.SmsSdkAppId = self.sdk_app_id
        request.SignName = self.sign_name
        request.TemplateId = template
        request.TemplateParamSet = list(params)
        request.PhoneNumberSet = [message.to_address for message in messages]
        # Echoed in receipts; one call has one context, so only a call for one person carries it.
        if len(messages) == 1 and messages[0].metadata.get("delivery"):
            request.SessionContext = messages[0].metadata["delivery"]
        try:
            response = self._call(self._client.SendSms, request)
        except TransportError as error:
            return [error] * len(messages)
        by_number = {status.PhoneNumber: status for status in response.SendStatusSet or []}
        results: list[str | TransportError] = []
        for message in messages:
            status = by_number.get(message.to_address)
            if status is None:
                results.append(
                    TransportError(
                        "Tencent Cloud SMS answered nothing for this number",
                        permanent=False,
                        code="no_status",
                    )
                )
            elif status.Code == "Ok":
                results.append(status.SerialNo)
            else:
                results.append(_classify(status.Code, status.Message or ""))
        return results

    def _call(self, method, request):
        try:
            return method(request)
        except TencentCloudSDKException as exc:
            code, detail = exc.get_code() or "", str(exc.get_message() or "")
            if code == "ClientNetworkError":
                # The SDK wraps every network failure in this code, keeping only the message.
                raise network_error(PROVIDER, detail, timed_out="timed out" in detail.lower()) from exc
            raise _classify(code, detail) from exc


def template_param_set(params) -> tuple[str, ...]:
    """TemplateParamSet from parameters keyed "1", "2", ... (the ``{1}``, ``{2}`` of the template), in order."""
    try:
        order = sorted(params, key=int)
    except ValueError:
        raise TransportError(
            f"Tencent Cloud SMS template parameters are numbered 1, 2, ...; got {sorted(params)}",
            permanent=True,
            code="template_params",
        ) from None
    return tuple(str(params[key]) for key in order)


def _is_mainland(message: OutboundMessage) -> bool:
    return message.to_address.startswith("+86")


def _classify(code: str, detail: str) -> TransportError:
    return TransportError(f"{detail} ({code})", permanent=code in PERMANENT_CODES, code=code or "tencent")
