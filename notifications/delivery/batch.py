"""One batch of deliveries: claim the rows, render and send each, record the outcomes.

At-least-once made safe by claims. A batch task only sends rows it claimed
with a conditional UPDATE (queued -> sending with its own ``claim_token``), and
records outcomes with the same condition, so a redelivered task message or a
second worker never sends a claimed row again. The one window left is a worker
killed between a provider accepting a message and the worker recording it:
the sweep re-queues that row once its claim is older than
``DELIVERY_STUCK_SECONDS`` and it is sent again. Outcomes are written every
``DELIVERY_RECORD_EVERY`` messages, so a SIGKILL can cause at most that many
duplicates per killed process; an e-mail duplicate carries the same
Message-ID (it is derived from the delivery), which lets mail systems drop it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils import timezone

from notifications.channels.base import OutboundMessage, TransportError, transport_for
from notifications.delivery import fallback
from notifications.delivery.completion import notices_complete_if_done
from notifications.delivery.policy import RetryPolicy, bucket_for, provider_pacer, wait_for_token
from notifications.delivery.queue import COUNTDOWN_MAX_SECONDS
from notifications.delivery.sms_routes import SmsRoutes
from notifications.models import Delivery, DeliveryStatus, NoticeVersion
from notifications.notices.rendering import BatchRenderer

logger = logging.getLogger(__name__)


class Unsendable(TransportError):
    """A delivery our side cannot send (rendering, encoding, configuration): failed, never a bounce."""


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    provider_id: str = ""
    error: TransportError | None = None


def message_id_for(delivery: Delivery) -> str:
    """The e-mail Message-ID of a delivery: the same on every attempt, so a resend is recognisable."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "breachline.invalid"
    return f"<notice-{delivery.version_id}.delivery-{delivery.pk}@{domain}>"


def outbound_for(delivery: Delivery, renderer: BatchRenderer, sms_routes: SmsRoutes | None = None) -> OutboundMessage:
    """Render the delivery's message for its person; raise TransportError when they have no address.

    An SMS carries its route (``sms_routes``): the providers to try and what each sends.
    """
    recipient = delivery.recipient
    address = recipient.contact_for(delivery.channel)
    if not address:
        raise TransportError("the person has no address on this channel", permanent=True, code="no_address")
    rendered = renderer.render(delivery)
    return OutboundMessage(
        route=sms_routes.route_for(delivery, address) if sms_routes is not None else (),
        to_address=address,
        text=rendered.text,
        subject=rendered.subject,
        html=rendered.html,
        link=recipient.personal_url,
        message_id=message_id_for(delivery) if delivery.channel == "email" else "",
        callback_path=f"webhooks/twilio/status/{delivery.pk}/" if delivery.channel == "sms" else "",
        headers={"X-Breachline-Delivery": str(delivery.pk)} if delivery.channel == "email" else {},
        metadata={"delivery": str(delivery.pk)},
    )


# Claiming and releasing.


def deliveries_claim(*, delivery_ids: Iterable[int]) -> list[Delivery]:
    """Claim the queued, due rows among ``delivery_ids``; return the claimed rows with their people."""
    token, now = uuid.uuid4(), timezone.now()
    claimed = Delivery.objects.filter(id__in=list(delivery_ids), next_attempt_at__lte=now).change_status(
        source=DeliveryStatus.QUEUED, target=DeliveryStatus.SENDING,
        claimed_at=now, claim_token=token, attempts=F("attempts") + 1,
    )
    if not claimed:
        return []
    deliveries = list(
        Delivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING)
        .select_related("recipient")
        .order_by("channel", "id")
    )
    # One version object per batch, not a copy of its texts per row.
    versions = NoticeVersion.objects.select_related("notice").in_bulk({d.version_id for d in deliveries})
    for delivery in deliveries:
        delivery.version = versions[delivery.version_id]
    return deliveries


def deliveries_release(*, deliveries: list[Delivery]) -> list[int]:
    """Give unsent claimed rows back to the queue (a batch out of time); return their ids.

    They count as carried by no message (``enqueued_at`` empty): the caller queues them
    again, and if it cannot (its task was interrupted) the next sweep does.
    """
    ids = [delivery.pk for delivery in deliveries]
    if ids:
        Delivery.objects.filter(
            pk__in=ids, claim_token__in={delivery.claim_token for delivery in deliveries},
        ).change_status(
            source=DeliveryStatus.SENDING, target=DeliveryStatus.QUEUED, claim_token=None, claimed_at=None,
            attempts=F("attempts") - 1, enqueued_at=None,
        )
    return ids


# Sending one batch.


@dataclass
class BatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: list[int] = field(default_factory=list)
    retry_ids: list[tuple[int, float]] = field(default_factory=list)


def deliveries_send_batch(*, delivery_ids: list[int]) -> BatchReport:
    """Send the rows of ``delivery_ids`` that can still be claimed.

    1. Claim (conditional UPDATE); rows claimed elsewhere or already done are skipped.
    2. Per channel, one transport for the batch: render, wait for the rate limit, send.
    3. Record outcomes every ``DELIVERY_RECORD_EVERY`` messages, outside any network call.
    4. Stop after ``DELIVERY_BATCH_SECONDS`` and give the rest back to the queue.
    5. Complete the notices whose every delivery is now final.
    """
    deliveries = deliveries_claim(delivery_ids=delivery_ids)
    report = BatchReport()
    deadline = time.monotonic() + settings.DELIVERY_BATCH_SECONDS
    by_channel: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        by_channel.setdefault(delivery.channel, []).append(delivery)
    for channel, rows in by_channel.items():
        report.released += _send_channel(channel, rows, deadline, report)
    if deliveries:
        notices_complete_if_done(notice_ids={delivery.notice_id for delivery in deliveries})
    return report


def _send_channel(channel: str, rows: list[Delivery], deadline: float, report: BatchReport) -> list[int]:
    """Send ``rows`` on one transport; return the ids given back to the queue unsent."""
    record_every = max(1, settings.DELIVERY_RECORD_EVERY)
    outcomes: list[Outcome] = []
    try:
        # SMS and push pick a provider per message; each provider has its own rate limit too.
        transport = transport_for(channel, pace=provider_pacer()) if channel in ("sms", "push") else transport_for(channel)
    except ImproperlyConfigured as exc:
        # Our configuration, not the people: retry until an operator fixes it or attempts run out.
        error = TransportError(str(exc), permanent=False, code="not_configured")
        deliveries_record(deliveries=rows, outcomes=[Outcome(row.pk, error=error) for row in rows], report=report)
        return []
    bucket, renderer, done = bucket_for(channel), BatchRenderer(), 0
    sms_routes = SmsRoutes() if channel == "sms" else None
    try:
        for delivery in rows:
            if time.monotonic() > deadline:
                break
            outcomes.append(_send_one(transport, bucket, renderer, delivery, sms_routes))
            done += 1
            if len(outcomes) >= record_every:
                deliveries_record(deliveries=rows, outcomes=outcomes, report=report)
    finally:
        transport.close()
        deliveries_record(deliveries=rows, outcomes=outcomes, report=report)
        released = deliveries_release(deliveries=rows[done:])
    return released


def _send_one(transport, bucket, renderer: BatchRenderer, delivery: Delivery, sms_routes: SmsRoutes | None) -> Outcome:
    """Send one delivery; any failure is this delivery's outcome, never the batch's.

    A failure that is not a ``TransportError`` (a name no e-mail can encode, a provider
    the deployment did not configure) would fail the same way on every attempt: the
    delivery fails for good, its reason the error's class, and the batch goes on.
    """
    try:
        message = outbound_for(delivery, renderer, sms_routes)
        wait_for_token(bucket)
        return Outcome(delivery.pk, provider_id=transport.send(message))
    except TransportError as error:
        return Outcome(delivery.pk, error=error)
    except Exception as exc:
        logger.exception("delivery %s cannot be sent", delivery.pk)
        detail = f"{type(exc).__name__}: {exc}".encode("utf-8", "backslashreplace").decode("utf-8")
        return Outcome(delivery.pk, error=Unsendable(detail, permanent=True, code=type(exc).__name__))


# Recording outcomes.


def deliveries_record(*, deliveries: list[Delivery], outcomes: list[Outcome], report: BatchReport) -> None:
    """Write the outcomes of claimed rows in one transaction (only rows still held by our claim).

    Accepted messages, nearly every outcome, take one UPDATE per claim; failures, whose
    errors and retry times differ row by row, one ``bulk_update`` per claim.
    """
    if not outcomes:
        return
    by_id = {delivery.pk: delivery for delivery in deliveries}
    policy, now = RetryPolicy.from_settings(), timezone.now()
    accepted: dict[uuid.UUID, list[tuple[int, str]]] = {}
    failures: dict[uuid.UUID, list[Delivery]] = {}
    permanent = []
    for outcome in outcomes:
        delivery = by_id[outcome.delivery_id]
        token = delivery.claim_token
        assert token is not None  # this batch claimed the row
        if outcome.error is None:
            accepted.setdefault(token, []).append((delivery.pk, outcome.provider_id))
            report.sent += 1
            continue
        row = _failed_row(delivery, outcome.error, policy, now, report)
        failures.setdefault(token, []).append(row)
        if row.status in (DeliveryStatus.FAILED, DeliveryStatus.BOUNCED):
            permanent.append(delivery.pk)
    fields = ["status", "provider_id", "sent_at", "finished_at", "error_code", "error_text",
              "next_attempt_at", "claim_token", "claimed_at", "enqueued_at"]
    with transaction.atomic():
        for token, sent in accepted.items():
            _record_accepted(token=token, sent=sent, now=now)
        for token, rows in failures.items():
            Delivery.objects.filter(claim_token=token).record_rows(rows, fields, source=DeliveryStatus.SENDING)
        if permanent:
            fallback.deliveries_fall_back(failed_ids=permanent)
    outcomes.clear()


def _record_accepted(*, token: uuid.UUID, sent: list[tuple[int, str]], now: datetime) -> None:
    """Mark the ``(id, provider id)`` rows of ``sent`` sent, if still claimed with ``token``.

    Only the provider id differs from row to row, so it is one CASE over the ids; Django's
    ``bulk_update`` builds a CASE for every field of every row, which cost more CPU than
    sending the messages did.
    """
    field, params = Delivery._meta.get_field("provider_id"), []
    for delivery_id, provider_id in sent:
        params += [delivery_id, field.get_db_prep_save(provider_id, connection)]
    # The column name comes from model metadata; every id and provider id is a parameter.
    provider_ids = RawSQL(  # noqa: S611
        f"CASE {connection.ops.quote_name(Delivery._meta.pk.column)} {'WHEN %s THEN %s ' * len(sent)}END",
        params,
        output_field=field,
    )
    Delivery.objects.filter(pk__in=[delivery_id for delivery_id, _ in sent], claim_token=token).change_status(
        source=DeliveryStatus.SENDING, target=DeliveryStatus.SENT, provider_id=provider_ids, sent_at=now, finished_at=None, error_code="",
        error_text="", claim_token=None, claimed_at=None,
    )


def _failed_row(
    delivery: Delivery, error: TransportError, policy: RetryPolicy, now: datetime, report: BatchReport
) -> Delivery:
    row = Delivery(
        id=delivery.pk, provider_id="", sent_at=None, finished_at=None, error_code=error.code[:40],
        error_text=error.detail[:2000], next_attempt_at=delivery.next_attempt_at, claim_token=None,
        claimed_at=None, enqueued_at=delivery.enqueued_at, status=_status_after(delivery, error, policy),
    )
    if row.status == DeliveryStatus.QUEUED:
        delay = policy.delay(delivery.attempts, error.retry_after)
        # A retry soon enough rides a delayed task; a later one is left to the sweep.
        row.next_attempt_at = now + delay
        row.enqueued_at = now if delay.total_seconds() <= COUNTDOWN_MAX_SECONDS else None
        report.retrying += 1
        report.retry_ids.append((delivery.pk, delay.total_seconds()))
    else:
        row.finished_at = now
        report.failed += 1
        logger.warning("delivery %s failed for good: %s %s", delivery.pk, error.code, error.detail)
    return row


def _status_after(delivery: Delivery, error: TransportError, policy: RetryPolicy) -> str:
    if error.permanent:
        # A recipient refused by the mail server is a hard bounce; other channels simply fail.
        bounced = delivery.channel == "email" and error.code != "no_address" and not isinstance(error, Unsendable)
        return DeliveryStatus.BOUNCED if bounced else DeliveryStatus.FAILED
    if policy.gives_up_after(delivery.attempts):
        return DeliveryStatus.FAILED
    return DeliveryStatus.QUEUED
