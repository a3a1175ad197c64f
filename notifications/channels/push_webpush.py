"""Push to browsers through Web Push with VAPID. The only module that imports pywebpush.

The endpoint comes from the browser's subscription, so a subscription made by
the local fake points the real pywebpush code at it with no setting at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from notifications.channels.base import (
    ClosingMixin,
    OutboundMessage,
    TransportError,
    http_error,
    parse_retry_after,
    provider_timeout,
)

# Push services keep an undelivered message while the browser is offline for at most this
# long; a breach notice is worth keeping for the four weeks most services allow.
TTL_SECONDS = 28 * 24 * 3600


class WebPushTransport(ClosingMixin):
    channel = "webpush"

    def __init__(self, *, vapid_private_key: str, vapid_subject: str, timeout: float):
        if not vapid_private_key:
            raise ImproperlyConfigured("Web Push needs WEBPUSH_VAPID_PRIVATE_KEY.")
        self.vapid_subject = vapid_subject
        self.timeout = timeout
        self._vapid = load_vapid_key(vapid_private_key)
        self._session = requests.Session()

    @classmethod
    def from_settings(cls) -> WebPushTransport:
        return cls(
            vapid_private_key=settings.WEBPUSH_VAPID_PRIVATE_KEY,
            vapid_subject=settings.WEBPUSH_VAPID_SUBJECT,
            timeout=provider_timeout(),
        )

    def send(self, message: OutboundMessage) -> str:
        """Encrypt and post the payload to the subscription's endpoint; return the push service's
        message URL (its Location header) or, when it gives none, the endpoint."""
        subscription = parse_subscription(message.to_address)
        try:
            response = webpush(
                subscription,
                data=webpush_payload(message),
                vapid_private_key=self._vapid,
                # pywebpush writes aud and exp into this dict, so each call gets a fresh one.
                vapid_claims={"sub": self.vapid_subject},
                timeout=self.timeout,
                ttl=TTL_SECONDS,
                requests_session=self._session,
            )
        except WebPushException as exc:
            raise _classify(exc) from exc
        except requests.Timeout as exc:
            raise TransportError(f"push service timed out: {exc}", permanent=False, code="timeout") from exc
        except requests.RequestException as exc:
            raise TransportError(
                f"push service unreachable: {exc}", permanent=False, code="connection"
            ) from exc
        return response.headers.get("Location") or subscription["endpoint"]

    def close(self) -> None:
        self._session.close()


def load_vapid_key(value: str) -> Vapid:
    """A VAPID key from a PEM file path, PEM text, or base64url raw / DER text."""
    try:
        if Path(value).is_file():
            return Vapid.from_file(value)
    except OSError:
        # A long base64 key is not a usable path on every filesystem.
        pass
    if "-----BEGIN" in value:
        return Vapid.from_pem(value.encode())
    return Vapid.from_string(value)


def parse_subscription(address: str) -> dict:
    """The subscription dict from its JSON; a malformed one is a permanent failure."""
    try:
        subscription = json.loads(address)
        keys = subscription["keys"]
        if not (
            subscription["endpoint"].startswith(("https://", "http://")) and keys["p256dh"] and keys["auth"]
        ):
            raise ValueError("endpoint must be a URL and both keys must be set")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TransportError(
            f"not a Web Push subscription: {exc}", permanent=True, code="invalid_subscription"
        ) from exc
    return {"endpoint": subscription["endpoint"], "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}}


def webpush_payload(message: OutboundMessage) -> str:
    """The JSON the service worker receives: title, body and the link to open."""
    return json.dumps(
        {"title": message.subject, "body": message.text, "url": message.link}, ensure_ascii=False
    )


def _classify(exc: WebPushException) -> TransportError:
    response = exc.response
    if response is None:
        return TransportError(exc.message, permanent=False, code="webpush")
    text = f"{response.text[:200] or response.reason} (HTTP {response.status_code})"
    # 404 and 410 both mean the browser dropped the subscription (RFC 8030, section 7.3).
    return http_error(
        response.status_code, text, retry_after=parse_retry_after(response.headers.get("Retry-After"))
    )
