"""A fake Twilio Messages API that the real twilio SDK talks to over HTTP.

It implements ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` with
Basic auth, Twilio's validation and error replies, and realistic JSON. It can
be told to refuse numbers (21211 invalid, 21610 unsubscribed, ...) and to fail
the next N calls (429 with Retry-After, 500). After accepting a message it can
post status callbacks signed like Twilio's (``X-Twilio-Signature``), on its
own or on demand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import queue
import re
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from secrets import token_hex

import requests

from tests.fakes.http import FakeHTTPServer, Reply, Request, json_reply
from tests.fakes.ledger import Ledger

API_VERSION = "2010-04-01"
_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages\.json$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
ERRORS = {
    20003: (401, "Authenticate"),
    20404: (404, "The requested resource was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "An internal server error has occurred"),
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21408: (
        400,
        "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {to}.",
    ),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number {to} is not a valid mobile number"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
}
_STATUS_ERROR_CODE = {429: 20429, 500: 20500}
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class TwilioMessage:
    sid: str
    account_sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    num_segments: int
    date_created: datetime


@dataclass(frozen=True)
class StatusCallback:
    """A status callback as Twilio would post it; ``response_status`` is set once posted."""

    url: str
    params: dict[str, str]
    signature: str
    response_status: int | None = None
    error: str = ""


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's request signature: base64 HMAC-SHA1 of the URL followed by each
    POST parameter's name and value, sorted by name, keyed with the auth token."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def sms_segments(body: str) -> int:
    """How many SMS segments Twilio bills for ``body`` (GSM-7 when possible, else UCS-2)."""
    if all(char in _GSM_BASIC or char in _GSM_EXTENDED for char in body):
        units = len(body) + sum(char in _GSM_EXTENDED for char in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if units <= single else math.ceil(units / multi)


class FakeTwilio(FakeHTTPServer):
    """The fake.

    ``callbacks`` lists the statuses posted after each accepted message that asked
    for a StatusCallback, e.g. ``("sent", "delivered")``; empty means only on demand
    through ``post_status_callback``. ``callback_workers`` threads post them.
    ``keep_messages=False`` keeps only counts (for benchmarks); on-demand callbacks
    then cannot find the message.
    """

    def __init__(
        self,
        *,
        account_sid: str = "",
        auth_token: str = "",
        callbacks: tuple[str, ...] = (),
        callback_workers: int = 1,
        keep_messages: bool = True,
    ):
        super().__init__()
        self.account_sid = account_sid or "AC" + token_hex(16)
        self.auth_token = auth_token or token_hex(16)
        self.callbacks = tuple(callbacks)
        self.received: Ledger[TwilioMessage] = Ledger("SMS", keep=keep_messages)
        self.posted: Ledger[StatusCallback] = Ledger("status callbacks", keep=keep_messages)
        self._callback_workers = callback_workers
        self._rejections: dict[str, int] = {}
        self._final_status: dict[str, tuple[str, int]] = {}
        self._failures: deque[tuple[int, int]] = deque()
        self._by_sid: dict[str, TwilioMessage] = {}
        self._attempts = 0
        self._outbox: queue.Queue[TwilioMessage | None] = queue.Queue()
        self._posters: list[threading.Thread] = []

    # Configuration.

    def reject(self, number: str, code: int = 21211) -> None:
        """Answer every later message to ``number`` with Twilio error ``code`` (HTTP 400)."""
        with self.lock:
            self._rejections[number] = code

    def fail_next(self, count: int = 1, *, status: int = 429, retry_after: int = 1) -> None:
        """Answer the next ``count`` calls with HTTP ``status`` (429 or 500)."""
        with self.lock:
            self._failures.extend([(status, retry_after)] * count)

    def finish_as(self, number: str, status: str = "undelivered", error_code: int = 30003) -> None:
        """Make the last automatic callback for ``number`` say ``status`` with ``error_code``."""
        with self.lock:
            self._final_status[number] = (status, error_code)

    # Records.

    @property
    def messages(self) -> list[TwilioMessage]:
        """Every accepted message, in order of arrival."""
        return self.received.items

    @property
    def attempts(self) -> int:
        """Calls to the Messages endpoint, accepted or not."""
        with self.lock:
            return self._attempts

    @property
    def callbacks_posted(self) -> list[StatusCallback]:
        """Every status callback posted, with our webhook's answer."""
        return self.posted.items

    def message(self, sid: str) -> TwilioMessage:
        with self.lock:
            return self._by_sid[sid]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[TwilioMessage]:
        """Block until ``count`` messages were accepted; raise TimeoutError otherwise."""
        return self.received.wait_for(count, timeout)

    def wait_for_callbacks(self, count: int, timeout: float = 10.0) -> list[StatusCallback]:
        """Block until ``count`` status callbacks were posted; raise TimeoutError otherwise."""
        return self.posted.wait_for(count, timeout)

    # Status callbacks.

    def status_callback_request(
        self, sid: str, status: str, *, error_code: int | None = None
    ) -> StatusCallback:
        """The signed callback Twilio would post for ``sid`` reaching ``status``, not yet posted."""
        return self._callback(self.message(sid), status, error_code)

    def post_status_callback(self, sid: str, status: str, *, error_code: int | None = None) -> StatusCallback:
        """Post the signed callback now; return it with the webhook's HTTP status or error."""
        return self._post(self._callback(self.message(sid), status, error_code))

    def _callback(self, message: TwilioMessage, status: str, error_code: int | None) -> StatusCallback:
        if not message.status_callback:
            raise ValueError(f"message {message.sid} asked for no status callback")
        params = {
            "AccountSid": message.account_sid,
            "ApiVersion": API_VERSION,
            "From": message.from_ or "",
            "MessageSid": message.sid,
            "MessageStatus": status,
            "SmsSid": message.sid,
            "SmsStatus": status,
            "To": message.to,
        }
        if message.messaging_service_sid:
            params["MessagingServiceSid"] = message.messaging_service_sid
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        url = message.status_callback
        return StatusCallback(url, params, twilio_signature(self.auth_token, url, params))

    def _post(self, callback: StatusCallback) -> StatusCallback:
        headers = {"X-Twilio-Signature": callback.signature, "User-Agent": "TwilioProxy/1.1"}
        try:
            response = requests.post(callback.url, data=callback.params, headers=headers, timeout=10)
            posted = StatusCallback(callback.url, callback.params, callback.signature, response.status_code)
        except requests.RequestException as exc:
            posted = StatusCallback(callback.url, callback.params, callback.signature, None, str(exc))
        self.posted.add(posted, callback.params["MessageSid"])
        return posted

    def _post_queued_callbacks(self) -> None:
        while (message := self._outbox.get()) is not None:
            with self.lock:
                final = self._final_status.get(message.to)
            *progress, last = self.callbacks
            for status in progress:
                self._post(self._callback(message, status, None))
            self._post(self._callback(message, *(final or (last, None))))

    # Server.

    def start(self) -> FakeTwilio:
        super().start()
        self._posters = [
            threading.Thread(target=self._post_queued_callbacks, name="FakeTwilioCallbacks", daemon=True)
            for _ in range(self._callback_workers)
        ]
        for poster in self._posters:
            poster.start()
        return self

    def stop(self) -> None:
        for _ in self._posters:
            self._outbox.put(None)
        for poster in self._posters:
            poster.join(timeout=15)
        self._posters = []
        super().stop()

    def handle(self, request: Request) -> Reply:
        match = _MESSAGES_PATH.match(request.path)
        if request.method != "POST" or match is None:
            return _error(20404)
        if not self._authorised(request):
            return _error(20003)
        if match["account"] != self.account_sid:
            return _error(20404)
        with self.lock:
            self._attempts += 1
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            status, retry_after = failure
            return _error(_STATUS_ERROR_CODE.get(status, 20500), status=status, retry_after=retry_after)
        form = request.form()
        refusal = self._refusal(form)
        if refusal is not None:
            return _error(refusal, to=form.get("To", ""))
        message = self._accept(form)
        return json_reply(201, self._resource(message))

    def _authorised(self, request: Request) -> bool:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return hmac.compare_digest(user, self.account_sid) and hmac.compare_digest(password, self.auth_token)

    def _refusal(self, form: dict[str, str]) -> int | None:
        to = form.get("To", "")
        if not to:
            return 21604
        if not form.get("From") and not form.get("MessagingServiceSid"):
            return 21603
        if not form.get("Body"):
            return 21602
        if len(form["Body"]) > 1600:
            return 21617
        if not _E164.match(to):
            return 21211
        with self.lock:
            return self._rejections.get(to)

    def _accept(self, form: dict[str, str]) -> TwilioMessage:
        message = TwilioMessage(
            sid="SM" + token_hex(16),
            account_sid=self.account_sid,
            to=form["To"],
            from_=form.get("From") or None,
            messaging_service_sid=form.get("MessagingServiceSid") or None,
            body=form["Body"],
            status_callback=form.get("StatusCallback") or None,
            num_segments=sms_segments(form["Body"]),
            date_created=datetime.now(UTC),
        )
        if self.received.keep:
            with self.lock:
                self._by_sid[message.sid] = message
        self.received.add(message, message.to)
        if message.status_callback and self.callbacks:
            self._outbox.put(message)
        return message

    def _resource(self, message: TwilioMessage) -> dict:
        # A message sent through a Messaging Service is "accepted" until a sender is chosen.
        status = "queued" if message.from_ else "accepted"
        created = format_datetime(message.date_created)
        uri = f"/{API_VERSION}/Accounts/{message.account_sid}/Messages/{message.sid}"
        return {
            "account_sid": message.account_sid,
            "api_version": API_VERSION,
            "body": message.body,
            "date_created": created,
            "date_sent": None,
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": message.from_,
            "messaging_service_sid": message.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(message.num_segments),
            "price": None,
            "price_unit": "USD",
            "sid": message.sid,
            "status": status,
            "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
            "to": message.to,
            "uri": f"{uri}.json",
        }


def _error(code: int, *, status: int | None = None, retry_after: int | None = None, to: str = "") -> Reply:
    default_status, text = ERRORS[code]
    status = status or default_status
    body = {
        "code": code,
        "message": text.format(to=to),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return json_reply(status, body, headers)
