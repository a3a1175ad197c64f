"""An SMTP sink on 127.0.0.1 (aiosmtpd) that records every message it accepts.

It can refuse chosen recipients permanently (550 at RCPT) and refuse the next
N messages transiently (451 at DATA), the two answers a real relay gives that
our e-mail transport must tell apart.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Self

from aiosmtpd.controller import Controller

from tests.fakes.ledger import Ledger


@dataclass
class ReceivedMail:
    """One accepted message: the envelope and the raw bytes, parsed on first access."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    _parsed: EmailMessage | None = field(default=None, repr=False)

    @property
    def message(self) -> EmailMessage:
        if self._parsed is None:
            self._parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        return self._parsed

    @property
    def text(self) -> str:
        """The text/plain body, with the wire's CRLF line ends read back as newlines."""
        body = self.message.get_body(("plain",))
        if body is None:
            raise ValueError("the e-mail has no text/plain part")
        return body.get_content().replace("\r\n", "\n")

    @property
    def html(self) -> str | None:
        """The text/html alternative, if any, with newline line ends."""
        part = self.message.get_body(("html",))
        return part.get_content().replace("\r\n", "\n") if part is not None else None


class _Handler:
    def __init__(self, sink: FakeSMTPServer):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        refusal = self.sink._refusal_for(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await asyncio.sleep(self.sink._delay())
        return self.sink._receive(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)


class FakeSMTPServer:
    def __init__(self, *, keep_messages: bool = True) -> None:
        self.host = "127.0.0.1"
        self.port = 0
        self.received: Ledger[ReceivedMail] = Ledger("e-mails", keep=keep_messages)
        self._lock = threading.Lock()
        self._refused: dict[str, str] = {}
        self._transient: list[str] = []
        self._delays: list[float] = []
        self._controller: Controller | None = None

    # Configuration.

    def refuse(
        self, address: str, reply: str = "550 5.1.1 <{address}>: Recipient address rejected: User unknown"
    ) -> None:
        """Answer RCPT TO:<address> with ``reply`` (a permanent 5xx by default) from now on."""
        with self._lock:
            self._refused[address.lower()] = reply.format(address=address)

    def fail_next(
        self, count: int = 1, reply: str = "451 4.3.0 Temporary local problem, try again later"
    ) -> None:
        """Answer DATA of the next ``count`` messages with ``reply`` (a transient 4xx by default)."""
        with self._lock:
            self._transient.extend([reply] * count)

    def delay_next(self, count: int = 1, *, seconds: float = 2.0) -> None:
        """Hold the reply to DATA of the next ``count`` messages back by ``seconds``."""
        with self._lock:
            self._delays.extend([seconds] * count)

    # Records.

    @property
    def messages(self) -> list[ReceivedMail]:
        return self.received.items

    def messages_to(self, address: str) -> list[ReceivedMail]:
        return [mail for mail in self.messages if address.lower() in (to.lower() for to in mail.rcpt_tos)]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """Block until ``count`` messages arrived; raise TimeoutError otherwise."""
        return self.received.wait_for(count, timeout)

    # Server.

    def start(self) -> Self:
        # aiosmtpd logs every SMTP command at INFO, which buries a failing test's own output.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.port = _free_port()
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _delay(self) -> float:
        with self._lock:
            return self._delays.pop(0) if self._delays else 0.0

    def _refusal_for(self, address: str) -> str | None:
        with self._lock:
            return self._refused.get(address.lower())

    def _receive(self, mail_from: str, rcpt_tos: list[str], raw: bytes) -> str:
        with self._lock:
            if self._transient:
                return self._transient.pop(0)
        self.received.add(ReceivedMail(mail_from, rcpt_tos, raw), *(rcpt.lower() for rcpt in rcpt_tos))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    # aiosmtpd's Controller probes the port it was given, so it needs a real number, not 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
