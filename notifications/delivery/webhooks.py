"""Provider status callbacks: Twilio's (signature-checked) and e-mail events through anymail.

Twilio signs every callback with the account's auth token over the exact URL it
was given and the POST parameters; we validate against the URL we gave it
(``BREACHLINE_BASE_URL`` + path), not the one this request appears to have, so
a TLS-terminating proxy does not break validation. Anything unsigned or wrongly
signed is refused with 403 before any row is read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailError
from anymail.signals import EventType, tracking
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
)
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications.channels.base import callback_url
from notifications.channels.sms import signature_is_valid
from notifications.delivery.callbacks import delivery_record_callback
from notifications.models import DeliveryStatus

logger = logging.getLogger(__name__)

# Twilio posts no error text, only ErrorCode; these are the common final ones.
TWILIO_ERRORS = {
    "30003": "Unreachable destination handset",
    "30004": "Message blocked by the recipient or carrier",
    "30005": "Unknown destination handset",
    "30006": "Landline or unreachable carrier",
    "30007": "Message filtered by the carrier",
    "30008": "Unknown error",
    "21610": "The recipient replied STOP",
}


def _refusing_bad_requests(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An anymail webhook that answers 404 while no webhook secret is configured (anymail alone would take
    anyone's events then, only warning) or its provider's own key is missing, and 400 to a body it cannot
    read, instead of raising (a 500 to anyone who posts rubbish to a public address)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (getattr(settings, "ANYMAIL", None) or {}).get("WEBHOOK_SECRET"):
            return HttpResponseNotFound("E-mail provider webhooks are off until ANYMAIL_SETTINGS has a WEBHOOK_SECRET.")
        try:
            return view(request, *args, **kwargs)
        except ImproperlyConfigured:
            logger.warning("e-mail provider webhook %s called but not configured", request.path)
            return HttpResponseNotFound("This e-mail provider's webhook is not configured.")
        except (AnymailError, ValueError, KeyError, TypeError) as exc:
            # What a provider's parser raises on a body that is not the provider's: logged with its traceback.
            logger.warning("e-mail provider webhook %s refused a malformed request: %r", request.path, exc,
                           exc_info=True)
            return HttpResponseBadRequest("Malformed webhook request.")

    return guarded


def anymail_webhook_urls() -> list[URLPattern]:
    """anymail's provider webhooks (e.g. ``postmark/tracking/``), each behind ``_refusing_bad_requests``."""
    return [URLPattern(pattern.pattern, _refusing_bad_requests(pattern.callback), pattern.default_args, pattern.name)
            for pattern in anymail_urls.urlpatterns if isinstance(pattern, URLPattern)]


@csrf_exempt
@require_POST
def twilio_status(request, delivery_id: int):
    """POST /webhooks/twilio/status/<delivery id>/ from Twilio: 204 when applied, 403 when not signed."""
    if not signature_is_valid(
        auth_token=settings.TWILIO_AUTH_TOKEN,
        url=callback_url(request.get_full_path()),
        params=request.POST,
        signature=request.headers.get("X-Twilio-Signature", ""),
    ):
        logger.warning("refused a Twilio callback with a missing or wrong signature for %s", request.path)
        return HttpResponseForbidden("invalid signature")
    code = request.POST.get("ErrorCode", "")
    delivery_record_callback(
        delivery_id=delivery_id,
        provider_id=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        code=code,
        text=TWILIO_ERRORS.get(code, f"Twilio error {code}" if code else ""),
    )
    return HttpResponse(status=204)


# anymail verifies each ESP's own webhook authentication in its views, then sends this
# signal: it is the library's integration point, not a domain flow of ours.
ANYMAIL_STATUSES = {
    EventType.DELIVERED: DeliveryStatus.DELIVERED,
    EventType.BOUNCED: DeliveryStatus.BOUNCED,
    EventType.REJECTED: DeliveryStatus.BOUNCED,
    EventType.FAILED: DeliveryStatus.FAILED,
}


@receiver(tracking, dispatch_uid="breachline-email-tracking")
def email_tracking(sender, event, esp_name: str, **kwargs) -> None:
    status = ANYMAIL_STATUSES.get(event.event_type)
    if status is None:
        return
    raw_id = str((event.metadata or {}).get("delivery", ""))
    delivery_record_callback(
        delivery_id=int(raw_id) if raw_id.isdigit() else None,
        provider_id=event.message_id or "",
        status=status,
        code=(event.reject_reason or event.event_type)[:40],
        text=event.mta_response or event.description or "",
    )
