"""Receipts from the providers that do not call back: Tencent Cloud SMS, Alibaba Cloud SMS and JPush.

Twilio and the e-mail providers post their verdicts to our webhooks. These three are asked
instead, by a periodic task, and each verdict goes through ``delivery_record_callback`` like a
webhook's: a delivered message is marked delivered, an undelivered one starts the fallback.

1. Tencent: pull its queue of carrier statuses (each is handed out once) until it is empty.
2. Alibaba: ask about each delivery it accepted that is still only "sent", by BizId and number.
3. JPush: ask about each delivery it accepted that is still only "sent", by msg_id and registration id.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured

from notifications.channels.base import Receipt, TransportError, transport_for
from notifications.channels.push import JPUSH_PREFIX
from notifications.delivery.callbacks import delivery_record_callback
from notifications.models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)
CHINA = ZoneInfo("Asia/Shanghai")
# Rounds of PullSmsSendStatus (100 statuses each) per run; the rest waits for the next run.
TENCENT_ROUNDS = 50


def receipts_collect(*, limit: int = 1000) -> dict[str, int]:
    """Collect the verdicts the three providers have; return how many each gave. Unconfigured providers are skipped."""
    counts = {}
    for provider, collect in (("sms_tencent", _tencent), ("sms_aliyun", _aliyun), ("push_jpush", _jpush)):
        try:
            transport = transport_for(provider)
        except ImproperlyConfigured:
            continue
        try:
            counts[provider] = collect(transport, limit)
        except TransportError as error:
            logger.warning("receipts from %s stopped: %s", provider, error.detail)
            counts[provider] = 0
        finally:
            transport.close()
    return counts


def _apply(receipt: Receipt, provider_id: str) -> bool:
    return (
        delivery_record_callback(
            provider_id=provider_id, status=receipt.status, code=receipt.code, text=receipt.detail
        )
        is not None
    )


def _waiting(prefix: str, limit: int):
    return (
        Delivery.objects.filter(status=DeliveryStatus.SENT, provider_id__startswith=prefix)
        .select_related("recipient")
        .order_by("sent_at")[:limit]
    )


def _tencent(transport, limit: int) -> int:
    applied = 0
    for _ in range(TENCENT_ROUNDS):
        receipts = transport.receipts()
        applied += sum(_apply(receipt, f"sms_tencent:{receipt.provider_id}") for receipt in receipts)
        if not receipts or applied >= limit:
            break
    return applied


def _aliyun(transport, limit: int) -> int:
    applied = 0
    for delivery in _waiting("sms_aliyun:", limit):
        raw = delivery.provider_id.removeprefix("sms_aliyun:")
        receipt = transport.receipt(provider_id=raw, sent_on=delivery.sent_at.astimezone(CHINA).date())
        if receipt is not None:
            applied += _apply(receipt, delivery.provider_id)
    return applied


def _jpush(transport, limit: int) -> int:
    applied = 0
    for delivery in _waiting(JPUSH_PREFIX, limit):
        registration_id = delivery.recipient.jpush_registration_id
        receipts = transport.receipts(
            msg_id=delivery.provider_id.removeprefix(JPUSH_PREFIX), registration_ids=[registration_id]
        )
        applied += sum(_apply(receipt, delivery.provider_id) for receipt in receipts)
    return applied
