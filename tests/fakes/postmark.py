"""A fake Postmark ``/email`` API, so the e-mail transport can be tested through django-anymail.

Postmark stands for every anymail ESP here: the transport only sees anymail's
status and exceptions, whichever provider is behind them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from tests.fakes.http import FakeHTTPServer, Reply, Request, json_reply
from tests.fakes.ledger import Ledger


class FakePostmark(FakeHTTPServer):
    def __init__(self) -> None:
        super().__init__()
        self.server_token = uuid.uuid4().hex
        self._inactive: set[str] = set()
        self._failures = 0
        self.received: Ledger[dict] = Ledger("Postmark e-mails")

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/"

    def deactivate(self, address: str) -> None:
        """Treat ``address`` as hard-bounced before: Postmark answers 422 / ErrorCode 406."""
        with self.lock:
            self._inactive.add(address.lower())

    def fail_next(self, count: int = 1) -> None:
        """Answer the next ``count`` calls with HTTP 500."""
        with self.lock:
            self._failures += count

    @property
    def messages(self) -> list[dict]:
        """The JSON bodies of accepted messages, each with the MessageID it was given."""
        return self.received.items

    def handle(self, request: Request) -> Reply:
        if request.method != "POST" or request.path != "/email":
            return json_reply(404, {"ErrorCode": 404, "Message": "Not found"})
        if request.headers.get("x-postmark-server-token") != self.server_token:
            return json_reply(
                401, {"ErrorCode": 10, "Message": "No Account or Server API tokens were supplied."}
            )
        with self.lock:
            failing, self._failures = self._failures > 0, max(0, self._failures - 1)
        if failing:
            return json_reply(500, {"ErrorCode": 500, "Message": "Internal server error."})
        message = request.json()
        to = message["To"]
        with self.lock:
            inactive = to.lower() in self._inactive
        if inactive:
            text = (
                "You tried to send to recipient(s) that have been marked as inactive.\n"
                f"Found inactive addresses: {to.lower()}.\n"
                "Inactive recipients are ones that have generated a hard bounce, a spam complaint, "
                "or a manual suppression. "
            )
            return json_reply(422, {"ErrorCode": 406, "Message": text})
        message_id = str(uuid.uuid4())
        self.received.add({**message, "MessageID": message_id}, to.lower())
        submitted = datetime.now(UTC).isoformat()
        return json_reply(
            200,
            {"To": to, "SubmittedAt": submitted, "MessageID": message_id, "ErrorCode": 0, "Message": "OK"},
        )
