"""SMS through the twilio SDK's Messages API. The only module that imports twilio."""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from notifications.channels.base import (
    ClosingMixin,
    OutboundMessage,
    TransportError,
    callback_url,
    provider_timeout,
)

# Codes that name the recipient, not us: 21211 invalid 'To', 21408 region not enabled,
# 21610 the person replied STOP, 21614 not a mobile number. Any other 4xx except 429
# is treated the same way (the request itself will never succeed); these are listed
# so that the reason is clear and stays permanent even if Twilio changes the status.
PERMANENT_CODES = frozenset({21211, 21408, 21610, 21614})
# The SDK logs every request's URL and headers at INFO: ten lines per SMS would drown a
# million-person fan-out in logs, so its client logs here, at WARNING and above.
_SDK_LOGGER = logging.getLogger(__name__ + ".sdk")
_SDK_LOGGER.setLevel(logging.WARNING)
# Statuses in which Twilio's create reply means it took the message.
_ACCEPTED = frozenset({"queued", "accepted", "scheduled", "sending", "sent"})


class SmsTransport(ClosingMixin):
    channel = "sms"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        messaging_service_sid: str = "",
        from_number: str = "",
        api_base_url: str = "https://api.twilio.com",
        timeout: float = 10.0,
    ):
        if not (account_sid and auth_token):
            raise ImproperlyConfigured("SMS needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")
        if not (messaging_service_sid or from_number):
            raise ImproperlyConfigured("SMS needs TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER.")
        self.messaging_service_sid = messaging_service_sid
        self.from_number = from_number
        self._http = TwilioHttpClient(timeout=timeout, logger=_SDK_LOGGER)
        self._client = Client(account_sid, auth_token, http_client=self._http)
        # Every Messages URL is built from the Api domain's base_url, a public attribute of
        # the SDK's Domain: pointing it elsewhere reaches a local fake with the real SDK.
        self._client.api.base_url = api_base_url.rstrip("/")

    @classmethod
    def from_settings(cls) -> SmsTransport:
        return cls(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
            from_number=settings.TWILIO_FROM_NUMBER,
            api_base_url=settings.TWILIO_API_BASE_URL,
            timeout=provider_timeout(),
        )

    def send(self, message: OutboundMessage) -> str:
        """Send ``message.text`` to ``message.to_address``; return the Message SID."""
        options: dict[str, str] = {"to": message.to_address, "body": message.text}
        if self.messaging_service_sid:
            options["messaging_service_sid"] = self.messaging_service_sid
        else:
            options["from_"] = self.from_number
        if message.callback_path:
            options["status_callback"] = callback_url(message.callback_path)
        try:
            created = self._client.messages.create(**options)
        except TwilioRestException as exc:
            raise _classify(exc.status, exc.code, exc.msg) from exc
        except TwilioServiceException as exc:
            raise _classify(exc.status, exc.code, exc.detail or exc.title) from exc
        except TwilioException as exc:
            raise TransportError(f"Twilio client error: {exc}", permanent=False, code="twilio") from exc
        except requests.Timeout as exc:
            raise TransportError(f"Twilio timed out: {exc}", permanent=False, code="timeout") from exc
        except requests.RequestException as exc:
            raise TransportError(f"Twilio unreachable: {exc}", permanent=False, code="connection") from exc
        if created.status not in _ACCEPTED:
            raise TransportError(
                created.error_message or f"Twilio answered status {created.status}",
                permanent=True,
                code=str(created.error_code or created.status),
            )
        return created.sid

    def close(self) -> None:
        if self._http.session is not None:
            self._http.session.close()


def _classify(status: int, code: int | None, detail: str) -> TransportError:
    """Map a Twilio error reply to a TransportError.

    401 and 403 are our credentials or account, not the person: retryable, so an
    operator can fix them before the retries run out instead of every recipient
    being marked unreachable.
    """
    text = f"{detail} (HTTP {status})"
    code_text = str(code or status)
    if code in PERMANENT_CODES:
        return TransportError(text, permanent=True, code=code_text)
    permanent = 400 <= status < 500 and status not in (401, 403, 408, 429)
    return TransportError(text, permanent=permanent, code=code_text)


def signature_is_valid(*, auth_token: str, url: str, params, signature: str) -> bool:
    """Whether ``signature`` (X-Twilio-Signature) is Twilio's for this URL and POST parameters."""
    return bool(signature and auth_token) and RequestValidator(auth_token).validate(url, params, signature)
