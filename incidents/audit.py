"""The append-only, hash-chained audit trail and its verification.

Each incident has its own chain: an event's ``hash`` is the SHA-256 of a
canonical JSON of the event together with the previous event's hash, so editing
or deleting any row behind the application's back breaks every later link.
Events without an incident (organisation profile, plans) form one more chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

GENESIS = "0" * 64


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only: they cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")


class AuditEvent(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    seq = models.PositiveIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, help_text="Kept as text so the chain survives a renamed user.")
    action = models.CharField(max_length=80)
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField()
    payload = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["incident_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "seq"], name="one_event_per_position"),
            models.UniqueConstraint(
                fields=["seq"], condition=models.Q(incident=None), name="one_global_event_per_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_name} at {self.created_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")

    def canonical(self) -> bytes:
        """Return the bytes the hash covers: every field but the hash itself."""
        body = {
            "incident": self.incident.ref if self.incident_id else None,
            "seq": self.seq,
            "actor": self.actor_name,
            "action": self.action,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "created_at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "payload": self.payload,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def _plain(payload: dict[str, Any] | None) -> dict[str, Any]:
    """Return the payload as the JSON types it will have after a database round trip."""
    return json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))


def audit_record(
    *,
    actor,
    action: str,
    incident=None,
    from_state: str = "",
    to_state: str = "",
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the incident's chain and return it.

    Call inside the transaction that makes the change. Callers that write to an
    incident hold its row lock, so two events can never take the same position;
    the unique constraint on (incident, seq) refuses a fork if one ever tried.
    """
    previous = AuditEvent.objects.filter(incident=incident).order_by("-seq").first()
    event = AuditEvent(
        incident=incident,
        seq=previous.seq + 1 if previous else 1,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        action=action,
        from_state=from_state,
        to_state=to_state,
        created_at=timezone.now(),
        payload=_plain(payload),
        prev_hash=previous.hash if previous else GENESIS,
    )
    event.hash = event.compute_hash()
    event.save()
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    seq: int
    reason: str


def audit_verify_chain(events) -> ChainBreak | None:
    """Recompute one chain in order; return the first broken event, or None if intact."""
    expected_prev = GENESIS
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(event.pk, event.seq, f"expected position {expected_seq}: an event is missing")
        if event.prev_hash != expected_prev:
            return ChainBreak(event.pk, event.seq, "prev_hash does not match the previous event's hash")
        if event.compute_hash() != event.hash:
            return ChainBreak(event.pk, event.seq, "hash does not match the event's content: it was altered")
        expected_prev = event.hash
        expected_seq += 1
    return None
