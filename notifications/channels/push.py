"""Push to whichever service an address belongs to: FCM for app tokens, Web Push for browsers.

A Web Push subscription is JSON (it starts with ``{``); anything else is an FCM
registration token. Each provider transport is built on first use, so a
deployment may configure only one of them.
"""

from __future__ import annotations

from notifications.channels.base import ClosingMixin, OutboundMessage, Transport, transport_for


def is_webpush_address(address: str) -> bool:
    return address.lstrip().startswith("{")


class PushTransport(ClosingMixin):
    channel = "push"

    def __init__(self) -> None:
        self._transports: dict[str, Transport] = {}

    @classmethod
    def from_settings(cls) -> PushTransport:
        return cls()

    def send(self, message: OutboundMessage) -> str:
        """Send through FCM or Web Push according to the address; return that provider's id."""
        return self._transport("webpush" if is_webpush_address(message.to_address) else "fcm").send(message)

    def close(self) -> None:
        for transport in self._transports.values():
            transport.close()

    def _transport(self, provider: str) -> Transport:
        if provider not in self._transports:
            self._transports[provider] = transport_for(provider)
        return self._transports[provider]
