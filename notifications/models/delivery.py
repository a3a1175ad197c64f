"""One delivery of one approved notice version to one person on one channel."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

__all__ = ["Delivery", "DeliveryStatus", "NoticeAnnouncement", "NoticeChannelPlan"]


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent (accepted by the provider)"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    UNDELIVERED = "undelivered", "Undelivered"
    BOUNCED = "bounced", "Bounced"


# Rows in these states still have work ahead of them; a notice is sent when none is left.
OPEN_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)
# The provider took the message; callbacks may still move it on.
ACCEPTED_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
FAILED_STATUSES = (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED, DeliveryStatus.BOUNCED)

# Every change of status a delivery may make, (from, to), written once. The set-based paths (a
# batch's claim and record, a release, the sweep) change rows only through DeliveryQuerySet, which
# refuses any other change, and the provider callbacks' transitions below take their sources from it.
STATUS_CHANGES: frozenset[tuple[str, str]] = frozenset({
    (DeliveryStatus.QUEUED, DeliveryStatus.SENDING),  # a batch claims a due row
    (DeliveryStatus.SENDING, DeliveryStatus.QUEUED),  # given back unsent, to retry, or taken back by the sweep
    (DeliveryStatus.SENDING, DeliveryStatus.SENT),  # the provider accepted it
    (DeliveryStatus.SENDING, DeliveryStatus.FAILED),  # refused for good, attempts spent, or every worker lost
    (DeliveryStatus.SENDING, DeliveryStatus.BOUNCED),  # the mail server refused the address
    # Provider callbacks; one may overtake the worker's own record of the send.
    (DeliveryStatus.SENDING, DeliveryStatus.DELIVERED),
    (DeliveryStatus.SENT, DeliveryStatus.DELIVERED),
    (DeliveryStatus.SENDING, DeliveryStatus.UNDELIVERED),
    (DeliveryStatus.SENT, DeliveryStatus.UNDELIVERED),
    (DeliveryStatus.DELIVERED, DeliveryStatus.UNDELIVERED),
    (DeliveryStatus.SENT, DeliveryStatus.FAILED),
    (DeliveryStatus.SENT, DeliveryStatus.BOUNCED),
    (DeliveryStatus.DELIVERED, DeliveryStatus.BOUNCED),
})


def sources_of(target: str) -> list[str]:
    """The statuses from which a delivery may move to ``target``."""
    return sorted(source for source, to in STATUS_CHANGES if to == target)


def require_status_change(source: str, target: str) -> None:
    """Raise ValueError unless ``source`` -> ``target`` is in STATUS_CHANGES."""
    if (source, target) not in STATUS_CHANGES:
        raise ValueError(f"A delivery never moves from {source} to {target}.")


class DeliveryQuerySet(models.QuerySet):
    """Status changes in bulk, set-based for speed and held to STATUS_CHANGES."""

    def change_status(self, *, source: str, target: str, **fields: Any) -> int:
        """Move the rows of this queryset that are in ``source`` to ``target`` in one UPDATE, setting
        ``fields`` too; return how many moved. Raises ValueError for a change not in STATUS_CHANGES."""
        require_status_change(source, target)
        return self.filter(status=source).update(status=target, **fields)

    def record_rows(self, rows: list[Delivery], fields: list[str], *, source: str) -> None:
        """Write ``fields`` (``status`` among them) of ``rows`` that are still in ``source``, with one
        ``bulk_update``. Raises ValueError, writing nothing, when a row's new status is not reachable."""
        for row in rows:
            require_status_change(source, row.status)
        self.filter(status=source).bulk_update(rows, fields)
# A delivery that may still reach, or has reached, its person.
LIVE_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.DELIVERED)


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    PUSH = "push", "Push"


class Delivery(ConcurrentTransitionMixin, models.Model):
    """The ledger row for one (notice version, person, channel).

    The row is written before any I/O and claimed with a conditional UPDATE
    (queued -> sending, with a fresh ``claim_token``) by whichever worker gets
    it first; fan-out moves claimed rows in bulk with the same condition, so a
    redelivered task or a second worker can never send a row twice while it is
    claimed. Provider callbacks use the transitions below.

    ``legal`` says whether this channel counts as notice in the person's
    jurisdiction; ``fallback_of`` points at the legal delivery whose permanent
    failure created this one; ``needs_printed_letter`` / ``substitute`` flag the
    person once no electronic legal channel is left.
    """

    notice = models.ForeignKey("notifications.Notice", on_delete=models.PROTECT, related_name="deliveries")
    version = models.ForeignKey("notifications.NoticeVersion", on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey("notifications.Recipient", on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    language = models.CharField(max_length=10, default="en")
    legal = models.BooleanField(default=True, help_text="This channel counts as notice in the person's jurisdiction.")
    status = FSMField(default=DeliveryStatus.QUEUED, choices=DeliveryStatus.choices, protected=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, help_text="Not to be sent before this instant.")
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="When a task message last carried it.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    provider_id = models.CharField(max_length=300, blank=True, db_index=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_text = models.TextField(blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    fallback_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="fallbacks"
    )
    needs_printed_letter = models.BooleanField(default=False)
    substitute = models.BooleanField(default=False, help_text="Only substitute notice can reach the person.")
    handed_on = models.BooleanField(default=False, db_default=False, help_text="Failed, and a fallback channel took over from it.")

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["version", "recipient", "channel"], name="one_delivery_per_version_recipient_channel"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["notice", "channel", "status"], name="delivery_progress"),
            models.Index(fields=["version", "status"], name="delivery_version_status"),
            # "Is this notice still sending?" after every batch: constant time however many
            # deliveries are final, because only the open ones are in it.
            models.Index(fields=["notice"], condition=models.Q(status__in=OPEN_STATUSES), name="delivery_open"),
        ]
        permissions = [
            ("send_notice", "Can queue an approved notice for delivery"),
            ("export_delivery", "Can export the delivery evidence"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to recipient {self.recipient_id}: {self.status}"

    @transition(field=status, source=sources_of(DeliveryStatus.DELIVERED), target=DeliveryStatus.DELIVERED)
    def mark_delivered(self, *, provider_id: str = "") -> None:
        self._finish(provider_id=provider_id)

    @transition(field=status, source=sources_of(DeliveryStatus.UNDELIVERED), target=DeliveryStatus.UNDELIVERED)
    def mark_undelivered(self, *, code: str, text: str, provider_id: str = "") -> None:
        self._finish(provider_id=provider_id, code=code, text=text)

    @transition(field=status, source=sources_of(DeliveryStatus.FAILED), target=DeliveryStatus.FAILED)
    def mark_failed(self, *, code: str, text: str, provider_id: str = "") -> None:
        self._finish(provider_id=provider_id, code=code, text=text)

    @transition(field=status, source=sources_of(DeliveryStatus.BOUNCED), target=DeliveryStatus.BOUNCED)
    def mark_bounced(self, *, code: str, text: str, provider_id: str = "") -> None:
        self._finish(provider_id=provider_id, code=code, text=text)

    def _finish(self, *, provider_id: str, code: str = "", text: str = "") -> None:
        now = timezone.now()
        # A callback can overtake the worker's own record of the send (it flushes in groups).
        self.provider_id = self.provider_id or provider_id
        self.sent_at = self.sent_at or now
        self.finished_at = now
        self.error_code, self.error_text = code, text
        self.claim_token = None


class NoticeChannelPlan(models.Model):
    """A notice's own changes to the rule-derived channel plan, and the plan it was sent with.

    ``overrides`` is ``{"<residence code or *>": {"legal": [...], "alerts": [...],
    "fallback": [...], "offline": "letter" | "substitute"}}`` (see
    ``notifications.delivery.plan``); ``used`` is the full plan frozen when sending
    started, which fan-out follows for fallbacks and the evidence shows.
    """

    notice = models.OneToOneField("notifications.Notice", on_delete=models.CASCADE, related_name="channel_plan")
    overrides = models.JSONField(default=dict, blank=True)
    used = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"channel plan of notice {self.notice_id}"


class NoticeAnnouncement(models.Model):
    """The public page carrying a notice as substitute notice (website posting), once published.

    ``slug`` is random so the page cannot be found before it is published; it is
    meant to be linked from the organisation's website and given to the media.
    """

    notice = models.OneToOneField("notifications.Notice", on_delete=models.PROTECT, related_name="announcement")
    slug = models.CharField(max_length=64, unique=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(help_text="Why substitute notice applies (the rule's condition that is met).")
    withdrawn_at = models.DateTimeField(null=True, blank=True, help_text="Taken down: the page answers 404.")
    withdrawn_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"announcement of notice {self.notice_id}"
