"""A fake Tencent Cloud SMS (API 2021-01-11) that the real SDK talks to over HTTP.

It verifies the TC3-HMAC-SHA256 signature of every call as Tencent Cloud does
(the canonical request over the signed headers and the body's hash, the
secret derived through the date, service and "tc3_request", a timestamp
within five minutes), so a wrong key or a broken signing set-up fails. It
implements SendSms (up to 200 numbers, each with its own status) and
PullSmsSendStatus with the real reply shapes, checks the SdkAppId, the
signature name and the registered template and its parameter count, and can
refuse numbers, fail the next N calls (``RequestLimitExceeded``,
``InternalError``, HTTP 502), or be down for a while.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from secrets import token_hex
from typing import Any

from tests.fakes.http import FakeHTTPServer, Reply, Request, json_reply
from tests.fakes.ledger import Ledger

API_VERSION = "2021-01-11"
SERVICE = "sms"
_AUTHORIZATION = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<secret_id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<service>[^/]+)/tc3_request, "
    r"SignedHeaders=(?P<headers>[^,]+), Signature=(?P<signature>[0-9a-f]{64})$"
)
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_MAINLAND = re.compile(r"^\+861[3-9]\d{9}$")
_VARIABLE = re.compile(r"\{(\d+)\}")
_MESSAGES = {
    "InvalidParameterValue.IncorrectPhoneNumber": "手机号格式错误",
    "FailedOperation.PhoneNumberInBlacklist": "手机号在免打扰名单库中",
    "FailedOperation.TemplateIncorrectOrUnapproved": "模板未审批或内容不匹配",
    "FailedOperation.SignatureIncorrectOrUnapproved": "签名未审批或格式错误",
    "InvalidParameterValue.TemplateParameterFormatError": "验证码模板参数格式错误",
    "InvalidParameterValue.SdkAppIdNotExist": "SdkAppId 不存在",
    "LimitExceeded.PhoneNumberCountLimit": "调用接口单次提交的手机号个数超过200个",
    "LimitExceeded.PhoneNumberDailyLimit": "单个手机号日下发短信条数超过设定的上限",
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber": "群发请求里既有国内手机号也有国际手机号",
    "RequestLimitExceeded": "请求的次数超过了频率限制",
    "InternalError": "内部错误",
}


@dataclass(frozen=True)
class TencentSms:
    serial_no: str
    phone_number: str
    sign_name: str
    template_id: str
    params: list[str]
    text: str  # the registered template filled in, after the signature
    session_context: str


def tc3_signature(secret_key: str, *, date: str, timestamp: str, canonical_request: str) -> str:
    """TC3-HMAC-SHA256: the signing key is derived from the secret through the date, the service and "tc3_request"."""

    def sign(key: bytes, text: str) -> bytes:
        return hmac.new(key, text.encode(), hashlib.sha256).digest()

    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            timestamp,
            f"{date}/{SERVICE}/tc3_request",
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = sign(sign(sign(f"TC3{secret_key}".encode(), date), SERVICE), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class FakeTencentSms(FakeHTTPServer):
    """The fake. ``register_template`` before sending; ``sign_name`` is the one approved signature."""

    def __init__(self, *, sign_name: str = "Breachline", keep_messages: bool = True):
        super().__init__()
        self.secret_id = "AKID" + token_hex(16)
        self.secret_key = token_hex(16)
        self.sdk_app_id = str(1400000000 + int(token_hex(3), 16))
        self.sign_name = sign_name
        self.received: Ledger[TencentSms] = Ledger("Tencent Cloud SMS", keep=keep_messages)
        self._templates: dict[str, tuple[str, str]] = {}
        self._rejections: dict[str, str] = {}
        self._outcomes: dict[str, str] = {}
        self._failures: deque[tuple[int, str]] = deque()
        self._statuses: deque[tuple[str, str, str]] = deque()
        self._calls = 0

    # Configuration.

    def register_template(self, template_id: str, text: str, *, approved: bool = True) -> None:
        """Register template ``template_id`` with ``text`` (``{1}``, ``{2}`` parameters); only approved ones send."""
        with self.lock:
            self._templates[template_id] = (text, "approved" if approved else "pending")

    def reject(self, number: str, code: str = "InvalidParameterValue.IncorrectPhoneNumber") -> None:
        """Refuse ``number`` (E.164) with ``code`` in its SendStatus from now on."""
        with self.lock:
            self._rejections[number] = code

    def fail_next(self, count: int = 1, *, code: str = "RequestLimitExceeded", status: int = 200) -> None:
        """Refuse the next ``count`` SendSms calls with Error ``code``, or answer HTTP ``status`` (502)."""
        with self.lock:
            self._failures.extend([(status, code)] * count)

    def finish_as(self, number: str, description: str = "DELIVRD_FAIL") -> None:
        """Make the carrier's status for ``number``, when next pulled, FAIL with ``description`` (else SUCCESS)."""
        with self.lock:
            self._outcomes[number] = description

    # Records.

    @property
    def messages(self) -> list[TencentSms]:
        return self.received.items

    @property
    def calls(self) -> int:
        with self.lock:
            return self._calls

    def wait_for(self, count: int, timeout: float = 10.0) -> list[TencentSms]:
        return self.received.wait_for(count, timeout)

    # Server.

    def handle(self, request: Request) -> Reply:
        if request.method != "POST" or request.path != "/":
            return Reply(404, b"Not Found")
        problem = self._authentication_problem(request)
        if problem is not None:
            return _error(*problem)
        if request.headers.get("x-tc-version") != API_VERSION:
            return _error("NoSuchVersion", "The requested version does not exist.")
        try:
            body = request.json()
        except ValueError:
            return _error("InvalidParameter", "The request body is not JSON.")
        action = request.headers.get("x-tc-action", "")
        with self.lock:
            self._calls += 1
        if action == "PullSmsSendStatus":
            return self._pull(body)
        if action != "SendSms":
            return _error("InvalidAction", f"The action {action} does not exist.")
        with self.lock:
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            status, code = failure
            if status != 200:
                return Reply(status, b"<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"})
            return _error(code, _MESSAGES.get(code, code))
        return self._send(body)

    def _authentication_problem(self, request: Request) -> tuple[str, str] | None:
        match = _AUTHORIZATION.match(request.headers.get("authorization", ""))
        if match is None:
            return "AuthFailure.InvalidAuthorization", "Authorization in the request header is invalid."
        if match["secret_id"] != self.secret_id:
            return "AuthFailure.SecretIdNotFound", "The SecretId is not found."
        timestamp = request.headers.get("x-tc-timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 300:
            return "AuthFailure.SignatureExpire", "Signature expired."
        signed = match["headers"].split(";")
        date = datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")
        if (
            not {"content-type", "host"} <= set(signed)
            or match["service"] != SERVICE
            or match["date"] != date
        ):
            return "AuthFailure.SignatureFailure", "The credential scope or signed headers are wrong."
        canonical_headers = "".join(f"{name}:{request.headers.get(name, '')}\n" for name in signed)
        canonical = "\n".join(
            ["POST", "/", "", canonical_headers, ";".join(signed), hashlib.sha256(request.body).hexdigest()]
        )
        expected = tc3_signature(self.secret_key, date=date, timestamp=timestamp, canonical_request=canonical)
        if not hmac.compare_digest(expected, match["signature"]):
            return "AuthFailure.SignatureFailure", "The provided credentials could not be validated."
        return None

    def _send(self, body: dict) -> Reply:
        numbers = body.get("PhoneNumberSet") or []
        params = [str(value) for value in body.get("TemplateParamSet") or []]
        with self.lock:
            template = self._templates.get(str(body.get("TemplateId", "")))
        if str(body.get("SmsSdkAppId", "")) != self.sdk_app_id:
            return _error(
                "InvalidParameterValue.SdkAppIdNotExist", _MESSAGES["InvalidParameterValue.SdkAppIdNotExist"]
            )
        if body.get("SignName") != self.sign_name:
            return _error(
                "FailedOperation.SignatureIncorrectOrUnapproved",
                _MESSAGES["FailedOperation.SignatureIncorrectOrUnapproved"],
            )
        if template is None or template[1] != "approved":
            return _error(
                "FailedOperation.TemplateIncorrectOrUnapproved",
                _MESSAGES["FailedOperation.TemplateIncorrectOrUnapproved"],
            )
        if len(set(_VARIABLE.findall(template[0]))) != len(params):
            return _error(
                "InvalidParameterValue.TemplateParameterFormatError",
                _MESSAGES["InvalidParameterValue.TemplateParameterFormatError"],
            )
        if not numbers or len(numbers) > 200:
            return _error(
                "LimitExceeded.PhoneNumberCountLimit", _MESSAGES["LimitExceeded.PhoneNumberCountLimit"]
            )
        if len({number.startswith("+86") for number in numbers}) > 1:
            code = "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber"
            return _error(code, _MESSAGES[code])
        text = f"【{self.sign_name}】" + _VARIABLE.sub(lambda match: params[int(match[1]) - 1], template[0])
        context = body.get("SessionContext", "")
        statuses = [self._status(number, body, params, text, context) for number in numbers]
        return json_reply(200, {"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}})

    def _status(self, number: str, body: dict, params: list[str], text: str, context: str) -> dict:
        with self.lock:
            code = self._rejections.get(number)
        if code is None and not (
            _MAINLAND.match(number) or (_E164.match(number) and not number.startswith("+86"))
        ):
            code = "InvalidParameterValue.IncorrectPhoneNumber"
        status: dict[str, Any] = {
            "SerialNo": f"{int(time.time())}:{token_hex(8)}" if code is None else "",
            "PhoneNumber": number,
            "Fee": 1 if code is None else 0,
            "SessionContext": context,
            "Code": code or "Ok",
            "Message": _MESSAGES.get(code, code) if code else "send success",
            "IsoCode": "CN" if number.startswith("+86") else "",
        }
        if code is None:
            self.received.add(
                TencentSms(
                    status["SerialNo"],
                    number,
                    body["SignName"],
                    str(body["TemplateId"]),
                    params,
                    text,
                    context,
                ),
                number,
            )
            with self.lock:
                self._statuses.append((number, status["SerialNo"], context))
        return status

    def _pull(self, body: dict) -> Reply:
        if str(body.get("SmsSdkAppId", "")) != self.sdk_app_id:
            return _error(
                "InvalidParameterValue.SdkAppIdNotExist", _MESSAGES["InvalidParameterValue.SdkAppIdNotExist"]
            )
        limit = int(body.get("Limit") or 0)
        if not 0 < limit <= 100:
            return _error("InvalidParameterValue", "Limit must be between 1 and 100.")
        with self.lock:
            pulled = [self._statuses.popleft() for _ in range(min(limit, len(self._statuses)))]
            # The carrier's verdict is what finish_as says by the time the status is pulled.
            statuses = [
                {
                    "UserReceiveTime": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                    "CountryCode": "86" if number.startswith("+86") else "",
                    "SubscriberNumber": number.removeprefix("+86"),
                    "PhoneNumber": number,
                    "SerialNo": serial_no,
                    "ReportStatus": "FAIL" if number in self._outcomes else "SUCCESS",
                    "Description": self._outcomes.get(number, "用户短信送达成功"),
                    "SessionContext": context,
                }
                for number, serial_no, context in pulled
            ]
        return json_reply(
            200, {"Response": {"PullSmsSendStatusSet": statuses, "RequestId": str(uuid.uuid4())}}
        )


def _error(code: str, message: str) -> Reply:
    """Tencent Cloud API 3.0 answers errors with HTTP 200 and an Error object."""
    return json_reply(
        200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": str(uuid.uuid4())}}
    )
