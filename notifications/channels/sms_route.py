"""The ``sms`` channel: each message through the providers of its route, in order, until one accepts it.

A message's ``route`` (built by fan-out from the organisation's routing table)
names the providers to try and what each sends: Tencent Cloud and Alibaba Cloud
their registered template filled in, Twilio the message's own text. Without a
route the message goes through Twilio alone.

Falling back never sends twice: the next provider is tried only when the one
before certainly did not accept the message (it refused it, answered an error,
could not be reached, or is not configured). A time-out is different: the
provider may have taken the message before its answer was lost, so the send
fails (retryable) and the whole route is tried again later, from the start.

Provider ids are the Chinese providers' own ids prefixed with the provider
(``sms_tencent:<SerialNo>``, ``sms_aliyun:<BizId>:<number>``), so a receipt can
be matched to the provider that sent it; Twilio's Message SID stays bare, as its
signed status callbacks carry it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from django.core.exceptions import ImproperlyConfigured

from notifications.channels.base import (
    ClosingMixin,
    OutboundMessage,
    RouteStep,
    Transport,
    TransportError,
    transport_for,
)
from notifications.channels.outbox import OutboxTransport
from notifications.channels.routing import DEFAULT_ROUTE, PROVIDER_LABELS

# Waits until a provider may take one more message (its rate limit); given by fan-out.
Pace = Callable[[str], None]


def _no_pace(provider: str) -> None:
    return None


class RoutedSmsTransport(ClosingMixin):
    channel = "sms"

    def __init__(self, transports: dict[str, Transport], unconfigured: dict[str, str], pace: Pace = _no_pace):
        self._transports = transports
        self._unconfigured = unconfigured
        self._pace = pace

    @classmethod
    def from_settings(cls, pace: Pace = _no_pace) -> RoutedSmsTransport:
        """Build every configured SMS provider; raise ImproperlyConfigured when none is (Twilio's reason first)."""
        transports: dict[str, Transport] = {}
        unconfigured: dict[str, str] = {}
        for provider in ("sms_twilio", "sms_tencent", "sms_aliyun"):
            try:
                transports[provider] = transport_for(provider)
            except ImproperlyConfigured as exc:
                unconfigured[provider] = str(exc)
        if not transports:
            raise ImproperlyConfigured(" ".join(unconfigured.values()))
        return cls(transports, unconfigured, pace)

    @classmethod
    def into_outbox(cls, pace: Pace = _no_pace) -> RoutedSmsTransport:
        """Every SMS provider as the development outbox, which keeps what that provider would have been given."""
        return cls({provider: OutboxTransport("sms", provider=provider) for provider in PROVIDER_LABELS}, {}, pace)

    def send(self, message: OutboundMessage) -> str:
        """Send through the first provider of the route that accepts; return its (prefixed) id.

        Raises the last provider's TransportError when none accepts: permanent only
        when every provider refused for good.
        """
        steps = message.route or tuple(RouteStep(provider) for provider in DEFAULT_ROUTE)
        errors: list[TransportError] = []
        for step in steps:
            try:
                return self._send_step(step, message)
            except TransportError as error:
                if error.code == "timeout":
                    raise
                errors.append(error)
        permanent = all(error.permanent for error in errors)
        last = errors[-1]
        detail = "; ".join(error.detail for error in errors)
        raise TransportError(detail, permanent=permanent, code=last.code, retry_after=last.retry_after)

    def close(self) -> None:
        for transport in self._transports.values():
            transport.close()

    def _send_step(self, step: RouteStep, message: OutboundMessage) -> str:
        label = PROVIDER_LABELS.get(step.provider, step.provider)
        transport = self._transports.get(step.provider)
        if transport is None:
            reason = self._unconfigured.get(step.provider, f"{step.provider} is not an SMS provider")
            raise TransportError(f"{label}: {reason}", permanent=False, code="not_configured")
        self._pace(step.provider)
        if step.provider == "sms_twilio":
            return transport.send(message)
        sent = transport.send(
            replace(
                message,
                text=step.text or message.text,
                template=step.template,
                template_params=step.template_params,
                route=(),
            )
        )
        return f"{step.provider}:{sent}"
