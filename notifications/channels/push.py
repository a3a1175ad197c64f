"""Push to whichever service an address belongs to: JPush, FCM for app tokens, Web Push for browsers.

A JPush registration id is written ``jpush:<id>`` (Android phones in mainland
China, which FCM does not reach); a Web Push subscription is JSON (it starts
with ``{``); anything else is an FCM registration token. Each provider
transport is built on first use, so a deployment may configure only some.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from django.utils.translation import gettext_lazy

from notifications.channels.base import ClosingMixin, OutboundMessage, Transport, transport_for
from notifications.channels.outbox import OutboxTransport

JPUSH_PREFIX = "jpush:"
PUSH_PROVIDER_LABELS = {
    "push_jpush": gettext_lazy("JPush"), "fcm": gettext_lazy("Firebase Cloud Messaging"),
    "webpush": gettext_lazy("Web Push"),
}


def is_webpush_address(address: str) -> bool:
    return address.lstrip().startswith("{")


class PushTransport(ClosingMixin):
    channel = "push"

    def __init__(self, pace: Callable[[str], None] | None = None,
                 transports: dict[str, Transport] | None = None) -> None:
        self._transports: dict[str, Transport] = dict(transports or {})
        self._pace = pace

    @classmethod
    def from_settings(cls, pace: Callable[[str], None] | None = None) -> PushTransport:
        """``pace(provider)`` waits for that provider's rate limit before each send, when given."""
        return cls(pace)

    @classmethod
    def into_outbox(cls, pace: Callable[[str], None] | None = None) -> PushTransport:
        """Every push provider as the development outbox, which keeps the provider each address would take
        and what it would have been given (a JPush id without its prefix)."""
        return cls(pace, {provider: OutboxTransport("push", provider=provider) for provider in PUSH_PROVIDER_LABELS})

    def send(self, message: OutboundMessage) -> str:
        """Send through JPush, FCM or Web Push according to the address; return that provider's id.

        JPush ids come back as ``jpush:<msg_id>``, so a receipt names the provider that sent it.
        """
        if message.to_address.startswith(JPUSH_PREFIX):
            if self._pace is not None:
                self._pace("push_jpush")
            jpush = self._transport("push_jpush")
            return JPUSH_PREFIX + jpush.send(
                replace(message, to_address=message.to_address.removeprefix(JPUSH_PREFIX))
            )
        return self._transport("webpush" if is_webpush_address(message.to_address) else "fcm").send(message)

    def close(self) -> None:
        for transport in self._transports.values():
            transport.close()

    def _transport(self, provider: str) -> Transport:
        if provider not in self._transports:
            self._transports[provider] = transport_for(provider)
        return self._transports[provider]
