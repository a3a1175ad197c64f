"""Whether each channel can send right now, asked before a notice is queued.

A channel that cannot send would keep its messages queued and retried for hours; the
sending page and the API ask here first and refuse, naming the reason, when a channel
that would reach somebody is not ready. Settings only: nothing here knows a notice.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from notifications.channels.base import outbox_channels

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
PROBE_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Readiness:
    channel: str
    ready: bool
    detail: str
    outbox: bool = False


def _email() -> tuple[bool, str]:
    backend = getattr(settings, "EMAIL_BACKEND", SMTP_BACKEND)
    if backend != SMTP_BACKEND:
        return True, _("E-mail backend %(backend)s.") % {"backend": backend}
    host, port = settings.EMAIL_HOST, int(settings.EMAIL_PORT)
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_SECONDS):
            pass
    except OSError as exc:
        return False, _("The SMTP server %(host)s:%(port)s is not answering (%(error)s).") % {
            "host": host, "port": port, "error": exc}
    return True, _("The SMTP server %(host)s:%(port)s answers.") % {"host": host, "port": port}


def _sms() -> tuple[bool, str]:
    mainland = [name for name, key in (("Alibaba Cloud", "ALIYUN_SMS_ACCESS_KEY_ID"), ("Tencent Cloud", "TENCENT_SMS_SECRET_ID"))
                if getattr(settings, key, "")]
    if mainland and not settings.TWILIO_ACCOUNT_SID:
        return True, _("SMS routes through %(providers)s.") % {"providers": ", ".join(mainland)}
    if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
        return False, _("No Twilio credentials (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN).")
    if not (settings.TWILIO_MESSAGING_SERVICE_SID or settings.TWILIO_FROM_NUMBER):
        return False, _("No Twilio sender (TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER).")
    return True, _("Twilio account %(sid)s.") % {"sid": settings.TWILIO_ACCOUNT_SID}


def _push() -> tuple[bool, str]:
    if settings.FCM_CREDENTIALS_FILE or settings.WEBPUSH_VAPID_PRIVATE_KEY or getattr(settings, "JPUSH_APP_KEY", ""):
        return True, _("FCM, Web Push or JPush credentials are set.")
    return False, _("No FCM credentials (FCM_CREDENTIALS_FILE), no Web Push key (WEBPUSH_VAPID_PRIVATE_KEY) "
                    "and no JPush key (JPUSH_APP_KEY).")


_PROBES = {"email": _email, "sms": _sms, "push": _push}


def channel_readiness(channel: str) -> Readiness:
    """Whether ``channel`` can send now, and in a sentence why (or why not)."""
    if channel in outbox_channels():
        return Readiness(channel, True, _("Development outbox: messages are kept at /dev/outbox/, not sent."), True)
    ready, detail = _PROBES[channel]()
    return Readiness(channel, ready, detail)
