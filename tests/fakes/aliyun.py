"""A fake Alibaba Cloud SMS (Dysmsapi 2017-05-25) that the real SDK talks to over HTTP.

It verifies the ACS3-HMAC-SHA256 signature of every call exactly as Alibaba
does (canonical request over the signed headers, the query and the body's
hash, a fresh nonce, a recent x-acs-date), so a wrong secret or a broken
signing set-up fails. It implements SendSms, SendBatchSms and
QuerySendDetails with the real parameter names and reply shapes, checks the
signature name and the registered template and its parameters, and can
refuse numbers, fail the next N calls (``isv.BUSINESS_LIMIT_CONTROL``, HTTP
500) and report delivery failures in receipts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from secrets import token_hex
from urllib.parse import quote

from tests.fakes.http import FakeHTTPServer, Reply, Request, json_reply
from tests.fakes.ledger import Ledger

API_VERSION = "2017-05-25"
_AUTHORIZATION = re.compile(
    r"^ACS3-HMAC-SHA256 Credential=(?P<key>[^,]+),SignedHeaders=(?P<headers>[^,]+),Signature=(?P<signature>[0-9a-f]+)$"
)
_REQUIRED_SIGNED = {
    "host",
    "x-acs-action",
    "x-acs-content-sha256",
    "x-acs-date",
    "x-acs-signature-nonce",
    "x-acs-version",
}
_MAINLAND = re.compile(r"^1[3-9]\d{9}$")
_INTERNATIONAL = re.compile(r"^[1-9]\d{7,14}$")
_VARIABLE = re.compile(r"\$\{(\w+)\}")
_MESSAGES = {
    "isv.MOBILE_NUMBER_ILLEGAL": "非法手机号",
    "isv.SMS_TEMPLATE_ILLEGAL": "该账号下找不到对应模板",
    "isv.SMS_SIGNATURE_ILLEGAL": "该账号下找不到对应签名",
    "isv.TEMPLATE_MISSING_PARAMETERS": "模板变量中存在未赋值变量",
    "isv.BUSINESS_LIMIT_CONTROL": "触发号码天级流控Permits:40",
    "isv.BLACK_KEY_CONTROL_LIMIT": "黑名单管控",
    "isv.MOBILE_COUNT_OVER_LIMIT": "手机号码数量超过限制",
}


@dataclass(frozen=True)
class AliyunSms:
    biz_id: str
    phone_number: str
    sign_name: str
    template_code: str
    params: dict[str, str]
    text: str  # the registered template filled in, as the phone shows it after the signature
    out_id: str
    action: str


def acs3_signature(
    secret: str,
    *,
    method: str,
    path: str,
    query: dict[str, str],
    headers: dict[str, str],
    signed: list[str],
    body: bytes,
) -> str:
    """ACS3-HMAC-SHA256 over the canonical request, as Alibaba Cloud's gateway computes it."""
    canonical_query = "&".join(f"{key}={quote(query[key], safe='~')}" for key in sorted(query))
    canonical_headers = "".join(f"{name}:{headers.get(name, '').strip()}\n" for name in signed)
    canonical = "\n".join(
        [
            method,
            path or "/",
            canonical_query,
            canonical_headers,
            ";".join(signed),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = f"ACS3-HMAC-SHA256\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


class FakeAliyunSms(FakeHTTPServer):
    """The fake. ``register_template`` before sending; ``sign_name`` is the one approved signature."""

    def __init__(self, *, sign_name: str = "Breachline", keep_messages: bool = True):
        super().__init__()
        self.access_key_id = "LTAI" + token_hex(10)
        self.access_key_secret = token_hex(15)
        self.sign_name = sign_name
        self.received: Ledger[AliyunSms] = Ledger("Alibaba Cloud SMS", keep=keep_messages)
        self._templates: dict[str, tuple[str, str]] = {}
        self._rejections: dict[str, str] = {}
        self._outcomes: dict[str, tuple[int, str]] = {}
        self._failures: deque[tuple[int, str]] = deque()
        self._nonces: set[str] = set()
        self._calls = 0

    # Configuration.

    def register_template(self, code: str, text: str, *, approved: bool = True) -> None:
        """Register template ``code`` with ``text`` (``${name}`` variables); only approved ones send."""
        with self.lock:
            self._templates[code] = (text, "approved" if approved else "pending")

    def reject(self, number: str, code: str = "isv.MOBILE_NUMBER_ILLEGAL") -> None:
        """Refuse every later message to ``number`` (Alibaba's form, e.g. 13800138000) with ``code``."""
        with self.lock:
            self._rejections[number] = code

    def fail_next(
        self, count: int = 1, *, code: str = "isv.BUSINESS_LIMIT_CONTROL", status: int = 200
    ) -> None:
        """Refuse the next ``count`` send calls: with ``code`` in a 200 reply, or HTTP ``status`` (500)."""
        with self.lock:
            self._failures.extend([(status, code)] * count)

    def finish_as(self, number: str, err_code: str = "MK:0001", *, status: int = 2) -> None:
        """Make receipts for ``number`` say SendStatus ``status`` (1 waiting, 2 failed) with ``err_code``."""
        with self.lock:
            self._outcomes[number] = (status, err_code)

    # Records.

    @property
    def messages(self) -> list[AliyunSms]:
        return self.received.items

    @property
    def calls(self) -> int:
        """Signed calls that reached an action, accepted or not."""
        with self.lock:
            return self._calls

    def wait_for(self, count: int, timeout: float = 10.0) -> list[AliyunSms]:
        return self.received.wait_for(count, timeout)

    # Server.

    def handle(self, request: Request) -> Reply:
        if request.method != "POST" or request.path != "/":
            return _error(
                404, "InvalidAction.NotFound", "Specified api is not found, please check your url and method."
            )
        query = {key: values[-1] for key, values in request.query.items()}
        problem = self._authentication_problem(request, query)
        if problem is not None:
            return problem
        action = request.headers.get("x-acs-action", "")
        if request.headers.get("x-acs-version") != API_VERSION:
            return _error(400, "InvalidVersion", "Specified parameter Version is not valid.")
        with self.lock:
            self._calls += 1
        # RPC parameters may come in the query or as a form body (SendBatchSms's JSON lists do).
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            query = {**query, **request.form()}
        if action == "QuerySendDetails":
            return self._query(query)
        if action not in ("SendSms", "SendBatchSms"):
            return _error(404, "InvalidAction.NotFound", f"Specified api {action} is not found.")
        with self.lock:
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            status, code = failure
            if status >= 500:
                return _error(
                    status,
                    "ServiceUnavailable",
                    "The request has failed due to a temporary failure of the server.",
                )
            return _refusal(code)
        return self._send_sms(query) if action == "SendSms" else self._send_batch(query)

    def _authentication_problem(self, request: Request, query: dict[str, str]) -> Reply | None:
        match = _AUTHORIZATION.match(request.headers.get("authorization", ""))
        if match is None:
            return _error(
                400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."
            )
        if match["key"] != self.access_key_id:
            return _error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        signed = match["headers"].split(";")
        if not set(signed) >= _REQUIRED_SIGNED or signed != sorted(signed):
            return _error(
                400, "IncompleteSignature", "The request signature does not conform to Aliyun standards."
            )
        if request.headers.get("x-acs-content-sha256") != hashlib.sha256(request.body).hexdigest():
            return _error(
                400, "SignatureDoesNotMatch", "The payload hash does not match x-acs-content-sha256."
            )
        try:
            stamp = datetime.strptime(request.headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC
            )
        except ValueError:
            return _error(
                400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
            )
        if abs(datetime.now(UTC) - stamp) > timedelta(minutes=15):
            return _error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")
        expected = acs3_signature(
            self.access_key_secret,
            method=request.method,
            path=request.path,
            query=query,
            headers=request.headers,
            signed=signed,
            body=request.body,
        )
        if not hmac.compare_digest(expected, match["signature"]):
            return _error(400, "SignatureDoesNotMatch", "Specified signature does not match our calculation.")
        nonce = request.headers.get("x-acs-signature-nonce", "")
        with self.lock:
            if not nonce or nonce in self._nonces:
                return _error(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
            self._nonces.add(nonce)
        return None

    def _check(self, number: str, sign_name: str, template_code: str, params: dict[str, str]) -> str | None:
        """The code refusing this message, or None."""
        with self.lock:
            template = self._templates.get(template_code)
            rejection = self._rejections.get(number)
        if sign_name != self.sign_name:
            return "isv.SMS_SIGNATURE_ILLEGAL"
        if template is None or template[1] != "approved":
            return "isv.SMS_TEMPLATE_ILLEGAL"
        if set(_VARIABLE.findall(template[0])) - set(params):
            return "isv.TEMPLATE_MISSING_PARAMETERS"
        if not (_MAINLAND.match(number) or (_INTERNATIONAL.match(number) and not number.startswith("86"))):
            return "isv.MOBILE_NUMBER_ILLEGAL"
        return rejection

    def _record(
        self,
        *,
        biz_id: str,
        number: str,
        sign_name: str,
        template_code: str,
        params: dict[str, str],
        out_id: str,
        action: str,
    ) -> None:
        with self.lock:
            text = _VARIABLE.sub(lambda match: str(params[match[1]]), self._templates[template_code][0])
        self.received.add(
            AliyunSms(
                biz_id, number, sign_name, template_code, params, f"【{sign_name}】{text}", out_id, action
            ),
            number,
        )

    def _send_sms(self, query: dict[str, str]) -> Reply:
        numbers = [number for number in query.get("PhoneNumbers", "").split(",") if number]
        try:
            params = json.loads(query.get("TemplateParam") or "{}")
        except ValueError:
            return _refusal("isv.INVALID_JSON_PARAM")
        if len(numbers) != 1:
            return _refusal("isv.MOBILE_COUNT_OVER_LIMIT" if numbers else "isv.MOBILE_NUMBER_ILLEGAL")
        refusal = self._check(numbers[0], query.get("SignName", ""), query.get("TemplateCode", ""), params)
        if refusal:
            return _refusal(refusal)
        biz_id = _biz_id()
        self._record(
            biz_id=biz_id,
            number=numbers[0],
            sign_name=query["SignName"],
            template_code=query["TemplateCode"],
            params=params,
            out_id=query.get("OutId", ""),
            action="SendSms",
        )
        return _ok(BizId=biz_id)

    def _send_batch(self, query: dict[str, str]) -> Reply:
        try:
            numbers = json.loads(query.get("PhoneNumberJson") or "[]")
            signs = json.loads(query.get("SignNameJson") or "[]")
            params = json.loads(query.get("TemplateParamJson") or "[]")
        except ValueError:
            return _refusal("isv.INVALID_JSON_PARAM")
        if not numbers or len(numbers) > 100:
            return _refusal("isv.MOBILE_COUNT_OVER_LIMIT")
        if not (len(numbers) == len(signs) == len(params)):
            return _refusal("isv.INVALID_PARAMETERS")
        template_code = query.get("TemplateCode", "")
        for number, sign, values in zip(numbers, signs, params, strict=True):
            refusal = self._check(number, sign, template_code, values)
            if refusal:
                return _refusal(refusal)
        biz_id = _biz_id()
        for number, sign, values in zip(numbers, signs, params, strict=True):
            self._record(
                biz_id=biz_id,
                number=number,
                sign_name=sign,
                template_code=template_code,
                params=values,
                out_id=query.get("OutId", ""),
                action="SendBatchSms",
            )
        return _ok(BizId=biz_id)

    def _query(self, query: dict[str, str]) -> Reply:
        number, biz_id = query.get("PhoneNumber", ""), query.get("BizId", "")
        if not number or not re.fullmatch(r"\d{8}", query.get("SendDate", "")):
            return _refusal("isv.INVALID_PARAMETERS")
        with self.lock:
            status, err_code = self._outcomes.get(number, (3, "DELIVERED"))
        found = [
            sms
            for sms in self.received.items
            if sms.phone_number == number and (not biz_id or sms.biz_id == biz_id)
        ]
        details = [
            {
                "PhoneNum": sms.phone_number,
                "SendStatus": status,
                "ErrCode": err_code if status != 1 else "",
                "TemplateCode": sms.template_code,
                "Content": sms.text,
                "SendDate": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                "ReceiveDate": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S") if status == 3 else "",
                "OutId": sms.out_id,
            }
            for sms in found
        ]
        return _ok(TotalCount=len(details), SmsSendDetailDTOs={"SmsSendDetailDTO": details})


def _biz_id() -> str:
    return f"{int(datetime.now(UTC).timestamp() * 1000)}^{token_hex(6)}"


def _ok(**fields) -> Reply:
    return json_reply(
        200,
        {"Code": "OK", "Message": "OK", "RequestId": str(uuid.uuid4()).upper(), **fields},
        {"Content-Type": "application/json;charset=utf-8"},
    )


def _refusal(code: str) -> Reply:
    """A business refusal: HTTP 200 with the reason in Code, as SendSms answers it."""
    return json_reply(
        200,
        {"Code": code, "Message": _MESSAGES.get(code, code), "RequestId": str(uuid.uuid4()).upper()},
        {"Content-Type": "application/json;charset=utf-8"},
    )


def _error(status: int, code: str, message: str) -> Reply:
    """A gateway error: signature, key, unknown action, server failure."""
    return json_reply(
        status,
        {
            "RequestId": str(uuid.uuid4()).upper(),
            "HostId": "dysmsapi.aliyuncs.com",
            "Code": code,
            "Message": message,
        },
        {"Content-Type": "application/json;charset=utf-8"},
    )
