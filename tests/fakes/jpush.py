"""A fake JPush Push API v3 and Report API that the real jpush package talks to over HTTP.

``POST /v3/push`` with HTTP Basic auth (app key, master secret) and the push
object (audience by registration id, platform, notification, options);
``POST /v3/report/status/message`` for delivery states. Error replies carry
JPush's ``{"error": {"code", "message"}}`` with its codes (1004 auth, 1011 no
such target, 2002 rate limit, 1000 / 1030 server failures).
"""

from __future__ import annotations

import base64
import time
from collections import deque
from dataclasses import dataclass
from secrets import token_hex

from tests.fakes.http import FakeHTTPServer, Reply, Request, json_reply
from tests.fakes.ledger import Ledger

_STATUS_CODE = {
    429: (2002, "Request times of the app key exceeded the limit"),
    500: (1000, "Server internal error"),
    503: (1030, "Internal service timeout"),
}


@dataclass(frozen=True)
class JPushMessage:
    msg_id: str
    registration_ids: list[str]
    platform: object
    notification: dict
    options: dict


class FakeJPush(FakeHTTPServer):
    def __init__(self, *, keep_messages: bool = True) -> None:
        super().__init__()
        self.app_key = token_hex(12)
        self.master_secret = token_hex(12)
        self.received: Ledger[JPushMessage] = Ledger("JPush messages", keep=keep_messages)
        self._gone: set[str] = set()
        self._undelivered: set[str] = set()
        self._failures: deque[int] = deque()

    # Configuration.

    def forget(self, registration_id: str) -> None:
        """Answer 1011 (no such target) for ``registration_id`` from now on, as for an uninstalled app."""
        with self.lock:
            self._gone.add(registration_id)

    def fail_next(self, count: int = 1, *, status: int = 429) -> None:
        """Answer the next ``count`` pushes with HTTP ``status`` (429, 500 or 503) and JPush's code for it."""
        with self.lock:
            self._failures.extend([status] * count)

    def not_delivered(self, registration_id: str) -> None:
        """Report ``registration_id`` as not belonging to the app (status 2) in delivery reports."""
        with self.lock:
            self._undelivered.add(registration_id)

    # Records.

    @property
    def messages(self) -> list[JPushMessage]:
        return self.received.items

    def wait_for(self, count: int, timeout: float = 10.0) -> list[JPushMessage]:
        return self.received.wait_for(count, timeout)

    # Server.

    def handle(self, request: Request) -> Reply:
        if request.method != "POST":
            return _error(405, 1001, "Only support HTTP Post method")
        if not self._authorised(request):
            return _error(401, 1004, "Authen failed")
        if request.path == "/v3/push":
            return self._push(request)
        if request.path == "/v3/report/status/message":
            return self._status(request)
        return _error(404, 1020, "Not found")

    def _authorised(self, request: Request) -> bool:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        try:
            key, _, secret = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return False
        return scheme == "Basic" and (key, secret) == (self.app_key, self.master_secret)

    def _push(self, request: Request) -> Reply:
        with self.lock:
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            code, message = _STATUS_CODE.get(failure, (1000, "Server internal error"))
            return _error(failure, code, message)
        try:
            push = request.json()
            ids = list(push["audience"]["registration_id"])
            notification = push["notification"]
        except (ValueError, KeyError, TypeError):
            return _error(400, 1003, "Parameter value is invalid")
        if not ids or not all(isinstance(rid, str) and rid for rid in ids):
            return _error(400, 1003, "Parameter value is invalid")
        with self.lock:
            known = [rid for rid in ids if rid not in self._gone]
        if not known:
            return _error(
                400, 1011, "cannot find user by this audience or has been inactive for more than 255 days"
            )
        msg_id = str(time.time_ns() // 1000 + int(token_hex(2), 16))
        self.received.add(
            JPushMessage(msg_id, ids, push.get("platform"), notification, push.get("options") or {}), *ids
        )
        return json_reply(200, {"sendno": "0", "msg_id": msg_id})

    def _status(self, request: Request) -> Reply:
        try:
            body = request.json()
            msg_id, ids = str(body["msg_id"]), list(body["registration_ids"])
        except (ValueError, KeyError, TypeError):
            return _error(400, 1003, "Parameter value is invalid")
        sent = {
            rid
            for message in self.received.items
            if message.msg_id == msg_id
            for rid in message.registration_ids
        }
        with self.lock:
            undelivered = set(self._undelivered)
        return json_reply(
            200,
            {rid: {"status": 2 if rid in undelivered else (0 if rid in sent else 3)} for rid in ids},
        )


def _error(status: int, code: int, message: str) -> Reply:
    return json_reply(status, {"error": {"code": code, "message": message}})
