"""E-mail through Django's e-mail backend: SMTP by default, any anymail ESP by setting.

One connection is opened lazily and reused for every message until ``close()``
or a failure, so a batch pays for one SMTP handshake, not one per person.
"""

from __future__ import annotations

import contextlib
import smtplib
from email.utils import make_msgid, parseaddr

from anymail.exceptions import AnymailError, AnymailRecipientsRefused
from anymail.message import AnymailMessage
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

from notifications.channels.base import ClosingMixin, OutboundMessage, TransportError, provider_timeout


class EmailTransport(ClosingMixin):
    channel = "email"

    def __init__(self, *, from_email: str, timeout: float):
        self.from_email = from_email
        self.timeout = timeout
        self._domain = parseaddr(from_email)[1].rpartition("@")[2] or "breachline.invalid"
        self._connection = None

    @classmethod
    def from_settings(cls) -> EmailTransport:
        return cls(
            from_email=settings.DEFAULT_FROM_EMAIL,
            timeout=float(settings.EMAIL_TIMEOUT or provider_timeout()),
        )

    def send(self, message: OutboundMessage) -> str:
        """Send ``message``; return the ESP's message id, or the Message-ID header for SMTP."""
        message_id = message.message_id or make_msgid(domain=self._domain)
        email = AnymailMessage(
            subject=message.subject,
            body=message.text,
            from_email=self.from_email,
            to=[message.to_address],
            headers={**message.headers, "Message-ID": message_id},
            connection=self._open(),
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        if message.metadata:
            # anymail sends this to the ESP, which echoes it in tracking webhooks.
            email.metadata = dict(message.metadata)
        try:
            sent = email.send()
        except (AnymailError, OSError) as exc:
            self.close()
            raise _classify(exc) from exc
        if not sent:
            raise TransportError("the e-mail backend accepted nothing", permanent=False, code="not_sent")
        status = getattr(email, "anymail_status", None)
        return (status.message_id if status is not None else None) or message_id

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            # The server may already have dropped a connection that failed.
            with contextlib.suppress(OSError):
                connection.close()

    def _open(self):
        if self._connection is None:
            connection = get_connection(fail_silently=False)
            if isinstance(connection, SMTPBackend):
                # Seconds as a float, as smtplib takes them; django-stubs types the attribute as int.
                connection.timeout = self.timeout  # type: ignore[assignment]
            try:
                connection.open()
            except OSError as exc:
                raise _classify(exc) from exc
            self._connection = connection
        return self._connection


def _classify(exc: Exception) -> TransportError:
    """Map an SMTP or anymail failure to a TransportError.

    Only a refusal of this recipient or of this message (a 5xx to RCPT or DATA,
    or anymail's recipients-refused) is permanent: a 5xx to our login or our
    sender address is our misconfiguration, not the person's, and must not
    mark them unreachable.
    """
    if isinstance(exc, AnymailRecipientsRefused):
        return TransportError(str(exc), permanent=True, code="recipients_refused")
    if isinstance(exc, AnymailError):
        status = getattr(exc, "status_code", None)
        return TransportError(str(exc), permanent=False, code=str(status or "anymail"))
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()))
        return TransportError(_text(reply), permanent=code >= 500, code=str(code))
    if isinstance(exc, smtplib.SMTPDataError):
        return TransportError(_text(exc.smtp_error), permanent=exc.smtp_code >= 500, code=str(exc.smtp_code))
    if isinstance(exc, smtplib.SMTPResponseException):
        return TransportError(_text(exc.smtp_error), permanent=False, code=str(exc.smtp_code))
    # smtplib reports a read timeout as SMTPServerDisconnected raised while handling it.
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return TransportError(f"SMTP timed out: {exc}", permanent=False, code="timeout")
    return TransportError(f"SMTP connection failed: {exc}", permanent=False, code="connection")


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
