"""Providers' later verdicts on a delivery (delivered, undelivered, failed, bounced), from webhooks."""

from __future__ import annotations

from django.db import transaction
from django_fsm import can_proceed

from notifications.delivery import fallback
from notifications.delivery.completion import notices_complete_if_done
from notifications.models import Delivery, DeliveryStatus

_CALLBACK_TRANSITIONS: dict[str, str] = {
    DeliveryStatus.DELIVERED: "mark_delivered",
    DeliveryStatus.UNDELIVERED: "mark_undelivered",
    DeliveryStatus.FAILED: "mark_failed",
    DeliveryStatus.BOUNCED: "mark_bounced",
}


def _callback_target(*, delivery_id: int | None, provider_id: str) -> Delivery | None:
    rows = Delivery.objects.select_for_update()
    if delivery_id is not None:
        delivery = rows.filter(pk=delivery_id).first()
        # An id from a URL or metadata must agree with the provider's id once we know it.
        if delivery and provider_id and delivery.provider_id and delivery.provider_id != provider_id:
            return None
        return delivery
    return rows.filter(provider_id=provider_id).first() if provider_id else None


def delivery_record_callback(
    *, status: str, delivery_id: int | None = None, provider_id: str = "", code: str = "", text: str = ""
) -> Delivery | None:
    """Apply a provider's later verdict (delivered, undelivered, failed, bounced) to its delivery.

    Returns the delivery, or None when no delivery matches. A verdict that does not
    move the delivery forward (a late "sent", a repeat) changes nothing. A failure
    of a channel that counted as notice starts the fallback.
    """
    name = _CALLBACK_TRANSITIONS.get(status)
    with transaction.atomic():
        delivery = _callback_target(delivery_id=delivery_id, provider_id=provider_id)
        if delivery is None or name is None:
            return delivery
        transition = getattr(delivery, name)
        if not can_proceed(transition):
            return delivery
        kwargs = {"provider_id": provider_id} if name == "mark_delivered" else {
            "provider_id": provider_id, "code": code[:40], "text": text[:2000]
        }
        transition(**kwargs)
        delivery.save()
        if name != "mark_delivered":
            fallback.deliveries_fall_back(failed_ids=[delivery.pk])
    notices_complete_if_done(notice_ids=[delivery.notice_id])
    return delivery
