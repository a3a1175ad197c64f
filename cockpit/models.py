"""What the cockpit keeps: one claimed row per reminder sent, and the alerts shown in the header."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Reminder(models.Model):
    """One alert for one obligation at one threshold of one deadline.

    The row is claimed (inserted) before anything is sent: the unique constraint lets exactly one of
    any number of beat or worker processes own it. A deadline that moves gets new rows (``due_at`` is
    part of the key); ``minutes_before`` 0 is the overdue alert.
    """

    obligation = models.ForeignKey("incidents.Obligation", on_delete=models.CASCADE, related_name="reminders")
    minutes_before = models.PositiveIntegerField(help_text="0: the deadline has passed.")
    due_at = models.DateTimeField(help_text="The deadline this alert was about.")
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    outcome = models.JSONField(default=dict, blank=True, help_text="Per person, what each channel answered.")

    class Meta:
        ordering = ["claimed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["obligation", "minutes_before", "due_at"], name="one_reminder_per_threshold")
        ]

    def __str__(self) -> str:
        return f"{self.obligation_id} at {self.minutes_before} min before {self.due_at:%Y-%m-%d %H:%M}"


class InAppAlert(models.Model):
    """A reminder shown to one person in the page header until they read it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts")
    reminder = models.ForeignKey(Reminder, on_delete=models.CASCADE, related_name="alerts")
    subject = models.CharField(max_length=300)
    text = models.TextField()
    link = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user"], condition=models.Q(read_at=None), name="alert_unread")]

    def __str__(self) -> str:
        return f"{self.user}: {self.subject}"


class CalendarFeed(models.Model):
    """A person's private iCalendar address. The token is the only credential: revoking it ends the feed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user}: feed of {self.created_at:%Y-%m-%d}{' (revoked)' if self.revoked_at else ''}"
