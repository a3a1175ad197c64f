"""The one interface every channel transport implements, and its one error type.

A transport sends one rendered message to one address and returns the
provider's id for it. Every failure is a ``TransportError`` that says whether
trying again could help (``permanent=False``) or not (``permanent=True``). A
transport knows nothing of incidents, notices or deliveries: the caller passes
ids it wants echoed back (status callbacks, provider metadata) in the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, Self

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One rendered message for one address.

    ``to_address`` is an e-mail address, an E.164 phone number, an FCM
    registration token, or a Web Push subscription as JSON
    (``{"endpoint": ..., "keys": {"p256dh": ..., "auth": ...}}``).
    ``message_id`` is the e-mail Message-ID to use (one is made when empty).
    ``callback_path`` is appended to ``BREACHLINE_BASE_URL`` for provider
    status callbacks (SMS). ``metadata`` is passed to providers that echo it
    back in webhooks (anymail, FCM data, JPush extras); values must be strings;
    its "delivery" is echoed in SMS receipts (Alibaba OutId, Tencent SessionContext).
    ``route`` lists the SMS providers to try in order (``sms`` channel; empty:
    Twilio alone). ``template`` and ``template_params`` are for providers that send only text
    registered with them in advance (mainland Chinese SMS): the registered
    template's code or id, and its parameters by name (``${name}``, Alibaba) or
    by position as "1", "2", ... (``{1}``, Tencent); ``text`` is then the
    registered text filled in, kept for the record. A JPush registration id is
    also a ``to_address``.
    """

    to_address: str
    text: str
    subject: str = ""
    html: str = ""
    link: str = ""
    message_id: str = ""
    callback_path: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, str] = field(default_factory=dict)
    template: str = ""
    template_params: Mapping[str, str] = field(default_factory=dict)
    route: tuple[RouteStep, ...] = ()


@dataclass(frozen=True, slots=True)
class RouteStep:
    """One provider of an SMS route, with what it sends: its registered template filled, or the plain text.

    ``text`` is what the phone shows (the registered text filled in); empty for a
    provider that takes the message's own text (Twilio).
    """

    provider: str
    template: str = ""
    template_params: Mapping[str, str] = field(default_factory=dict)
    text: str = ""


@dataclass(frozen=True, slots=True)
class Receipt:
    """A provider's later verdict on one message it accepted, in our delivery statuses.

    ``status`` is "delivered", "undelivered" or "failed" (the names
    ``delivery_record_callback`` takes); ``provider_id`` is the id ``send``
    returned; ``code`` and ``detail`` are the provider's own words for a failure;
    ``reference`` is what the message carried back to us (the delivery id, when
    the provider echoes one).
    """

    provider_id: str
    to_address: str
    status: str
    code: str = ""
    detail: str = ""
    reference: str = ""


class TransportError(Exception):
    """A send that did not reach the provider's acceptance.

    ``permanent`` is True when sending the same message to the same address
    again cannot succeed (hard bounce, invalid number, unregistered token);
    False when a later attempt may (rate limit, server error, network).
    ``code`` is the provider's own code as text ("550", "21610",
    "UNREGISTERED", "410") or "connection" / "timeout" for network failures.
    ``retry_after`` is the provider's requested wait in seconds, when it said.
    """

    def __init__(self, detail: str, *, permanent: bool, code: str = "", retry_after: float | None = None):
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent
        self.code = code
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"TransportError({self.detail!r}, permanent={self.permanent}, code={self.code!r})"


class Transport(Protocol):
    """What fan-out needs from a channel.

    Build one per batch (``with transport_for(channel) as transport``) and send the
    batch through it: it keeps its connection and access token between sends. An
    instance is not thread-safe; use one per worker thread.
    """

    channel: str

    def send(self, message: OutboundMessage) -> str:
        """Send ``message``; return the provider's id for it or raise ``TransportError``."""
        ...

    def close(self) -> None:
        """Release pooled connections. The transport may be used again afterwards."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...


class ClosingMixin:
    """Lets a transport be used as ``with transport_for("sms") as sms: ...``."""

    def close(self) -> None:
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# Imported lazily so that a worker only loads the SDKs of the channels it uses.
_TRANSPORTS = {
    "email": "notifications.channels.email.EmailTransport",
    "sms": "notifications.channels.sms_route.RoutedSmsTransport",
    "sms_twilio": "notifications.channels.sms.SmsTransport",
    "fcm": "notifications.channels.push_fcm.FcmTransport",
    "webpush": "notifications.channels.push_webpush.WebPushTransport",
    "push": "notifications.channels.push.PushTransport",
    "sms_aliyun": "notifications.channels.sms_aliyun.AliyunSmsTransport",
    "sms_tencent": "notifications.channels.sms_tencent.TencentSmsTransport",
    "push_jpush": "notifications.channels.push_jpush.JPushTransport",
}

CHANNELS = tuple(_TRANSPORTS)
_OUTBOX = "notifications.channels.outbox.OutboxTransport"


def outbox_channels() -> tuple[str, ...]:
    """The channels whose messages go to the development outbox now: none with DEBUG off."""
    if not settings.DEBUG:
        return ()
    return tuple(getattr(settings, "DEV_OUTBOX_CHANNELS", ()))


def transport_for(channel: str, **options) -> Transport:
    """Return a new transport for ``channel`` configured from Django settings, or the
    development outbox's for a channel it holds (DEBUG on, provider not configured).

    ``options`` go to the transport's ``from_settings`` (``pace`` for ``sms`` and ``push``).

    Raises ``ValueError`` for an unknown channel and ``ImproperlyConfigured``
    when the channel's credentials are missing.
    """
    try:
        path = _TRANSPORTS[channel]
    except KeyError:
        raise ValueError(f"unknown channel {channel!r}; known: {', '.join(CHANNELS)}") from None
    if channel in outbox_channels():
        if channel in ("sms", "push"):
            # The same routing as in production (SMS: each number's providers in order, their registered
            # templates, the fallback; push: the provider each address belongs to); only the providers
            # themselves are replaced by the outbox.
            return import_string(path).into_outbox(**options)
        return import_string(_OUTBOX)(channel)
    return import_string(path).from_settings(**options)


def provider_timeout() -> float:
    """Seconds to wait for any provider before giving up (a retryable failure)."""
    return float(settings.PROVIDER_TIMEOUT_SECONDS)


def callback_url(path: str) -> str:
    """The absolute URL providers call back on, from ``BREACHLINE_BASE_URL`` and ``path``."""
    base = str(settings.BREACHLINE_BASE_URL).rstrip("/")
    return f"{base}/{path.lstrip('/')}"


def http_error(
    status: int, detail: str, *, code: str = "", retry_after: float | None = None
) -> TransportError:
    """Classify an HTTP failure: 429, 408 and 5xx may pass; any other 4xx will not."""
    permanent = 400 <= status < 500 and status not in (408, 429)
    return TransportError(detail, permanent=permanent, code=code or str(status), retry_after=retry_after)


def network_error(provider: str, detail: object, *, timed_out: bool) -> TransportError:
    """A retryable failure to reach ``provider``: "timeout" when it did not answer in time, else "connection"."""
    what = "timed out" if timed_out else "unreachable"
    return TransportError(
        f"{provider} {what}: {detail}", permanent=False, code="timeout" if timed_out else "connection"
    )


def registered_template(message: OutboundMessage, provider: str) -> str:
    """The template ``message`` names, for a provider that sends nothing else; a permanent failure without one."""
    if not message.template:
        raise TransportError(
            f"{provider} sends only registered templates and this message names none",
            permanent=True,
            code="no_template",
        )
    return message.template


def endpoint_parts(url: str, default_scheme: str = "https") -> tuple[str, str]:
    """(scheme, host[:port]) of an endpoint given as a URL or as a bare host, for SDKs that take them apart."""
    scheme, _, rest = url.rpartition("://")
    return (scheme or default_scheme), rest.strip("/")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header given in seconds; None for absent or dated values."""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
