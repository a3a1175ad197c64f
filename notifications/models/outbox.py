"""The dispatch outbox: a notice's dispatch recorded in the transaction that starts sending it.

The row is what makes sending atomic with the queue: whichever process commits it may die, and the
broker may be down, yet a relay (after the commit, and on beat every few seconds) publishes it as
soon as the broker takes messages again (``notifications.delivery.queue``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

__all__ = ["NoticeDispatch"]


class NoticeDispatch(models.Model):
    """One dispatch of a notice to publish on the broker; ``published_at`` set once the broker took it.

    A relay claims a row for ``claimed_until`` with a conditional UPDATE before publishing, so two
    relays rarely publish it twice, and a second publication is harmless (deliveries are claimed).
    """

    notice = models.ForeignKey("notifications.Notice", on_delete=models.CASCADE, related_name="dispatches")
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "notice dispatches"
        indexes = [
            # The relay's question, "what waits?", reads only the unpublished rows.
            models.Index(fields=["id"], condition=models.Q(published_at__isnull=True), name="dispatch_unpublished"),
        ]

    def __str__(self) -> str:
        state = f"published {self.published_at:%Y-%m-%d %H:%M:%S}" if self.published_at else "waiting"
        return f"dispatch of notice {self.notice_id}: {state}"
