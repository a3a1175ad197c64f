"""The append-only, keyed hash chain of audit events, its signed heads and its verification.

Each incident has its own chain: an event's ``hash`` is the HMAC-SHA256, under the audit key, of a
canonical JSON of the event together with the previous event's hash, so editing, deleting or
reordering any row behind the application's back breaks every later link, and nobody without the
key can recompute the links after a rewrite. Events without an incident (organisation profile,
logins, plans) form one more chain.

A chain alone cannot see its own tail: deleting the newest events leaves a shorter chain that is
still intact. So every chain also has an ``AuditHead``, its last position and hash signed with the
same key, kept in a separate table and updated in the transaction that appends the event; a
missing tail, or events appended behind the application's back, no longer match the head. An
operator with database superuser rights could still put back an older head together with the
shorter chain it signed; the anchors (``audit_anchor_heads``, written periodically to the log and
an append-only sink) are what catches that, with ``verify_audit --anchors FILE``.

Keys rotate like the field keys: the first of ``AUDIT_CHAIN_KEYS`` signs, every key verifies, and
each event and head records the id of the key that signed it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.actors import Actor
from incidents.anchor_bucket import anchor_bucket_configured, anchor_bucket_write

GENESIS = "0" * 64
ORGANISATION_CHAIN = "organisation"

anchor_log = logging.getLogger("breachline.audit.anchor")



class AuditAction(models.TextChoices):
    """Every action the audit trail records, with the words people read for it."""

    INCIDENT_CREATED = "incident.created", _("Incident created")
    INCIDENT_EDITED = "incident.edited", _("Facts edited")
    INCIDENT_IDENTIFIED_COUNTS = "incident.identified_counts", _("People identified by an import")
    INCIDENT_LAW_ENFORCEMENT_DELAY = "incident.law_enforcement_delay", _("Law-enforcement delay recorded")
    INCIDENT_LAW_ENFORCEMENT_DELAY_CONFIRMED = (
        "incident.law_enforcement_delay_confirmed", _("Law-enforcement delay confirmed by legal")
    )
    INCIDENT_CONTAIN = "incident.contain", _("Contained")
    INCIDENT_ASSESS = "incident.assess", _("Marked assessed")
    INCIDENT_NOTIFY_REGULATORS = "incident.notify_regulators", _("Regulators notified")
    INCIDENT_NOTIFY_USERS = "incident.notify_users", _("Users notified")
    INCIDENT_CLOSE = "incident.close", _("Closed")
    INCIDENT_REOPEN = "incident.reopen", _("Reopened")
    INCIDENT_NO_HARM_DETERMINED = "incident.no_harm_determined", _("No-harm determination recorded")
    INCIDENT_NO_HARM_WITHDRAWN = "incident.no_harm_withdrawn", _("No-harm determination withdrawn")
    OBLIGATION_MET = "obligation.met", _("Obligation met")
    OBLIGATION_EXEMPTED = "obligation.exempted", _("Obligation exempted")
    OBLIGATIONS_RECOMPUTED = "obligations.recomputed", _("Deadlines recomputed")
    RISK_ASSESSED = "risk.assessed", _("Risk assessed")
    ORGANISATION_PROFILE_EDITED = "organisation_profile.edited", _("Organisation profile edited")
    NOTICE_DRAFTED = "notice.drafted", _("Notice drafted")
    NOTICE_EDITED = "notice.edited", _("Notice edited")
    NOTICE_SUBMIT = "notice.submit", _("Notice submitted for approval")
    NOTICE_APPROVE = "notice.approve", _("Notice approved")
    NOTICE_REJECT = "notice.reject", _("Notice rejected")
    NOTICE_CHANNEL_PLAN_CHANGED = "notice.channel_plan_changed", _("Channel plan changed")
    NOTICE_SENDING_STARTED = "notice.sending_started", _("Sending started")
    NOTICE_SENDING_COMPLETED = "notice.sending_completed", _("Sending completed")
    NOTICE_LETTERS_PRINTED = "notice.letters_printed", _("Letters printed")
    NOTICE_ANNOUNCEMENT_PUBLISHED = "notice.announcement_published", _("Announcement published")
    NOTICE_ANNOUNCEMENT_WITHDRAWN = "notice.announcement_withdrawn", _("Announcement withdrawn")
    RECIPIENTS_IMPORT_STARTED = "recipients.import_started", _("Import of people started")
    RECIPIENTS_IMPORTED = "recipients.imported", _("People imported")
    RECIPIENTS_IMPORT_FAILED = "recipients.import_failed", _("Import of people failed")
    RECIPIENTS_KEYS_ROTATED = "recipients.keys_rotated", _("Encryption keys rotated")
    RECIPIENT_NOTICE_OPENED = "recipient.notice_opened", _("A person opened their notice")
    REGULATOR_SUBMISSION_RECORDED = "regulator_submission.recorded", _("Regulator submission recorded")
    AUTH_LOGIN = "auth.login", _("Logged in")
    AUTH_LOGIN_FAILED = "auth.login_failed", _("Login failed")
    AUTH_PASSWORD_CHANGED = "auth.password_changed", _("Password changed")
    AUTH_TOKEN_CREATED = "auth.token_created", _("API token created")
    AUTH_TOKEN_REVOKED = "auth.token_revoked", _("API token revoked")
    AUTH_2FA_ENROLLED = "auth.2fa_enrolled", _("Authenticator app enrolled")
    AUTH_2FA_VERIFIED = "auth.2fa_verified", _("Second factor verified")
    AUTH_2FA_FAILED = "auth.2fa_failed", _("Second factor refused")
    ADMIN_ADDED = "admin.added", _("Added in the admin")
    ADMIN_CHANGED = "admin.changed", _("Changed in the admin")
    ADMIN_DELETED = "admin.deleted", _("Deleted in the admin")
    ADMIN_ACTION = "admin.action", _("Admin action")
    PERSONAL_DATA_EXPORTED = "personal_data.exported", _("Personal data exported")
    INCIDENT_LEGAL_HOLD_PLACED = "incident.legal_hold_placed", _("Legal hold placed")
    INCIDENT_LEGAL_HOLD_RELEASED = "incident.legal_hold_released", _("Legal hold released")
    RECIPIENTS_CONTACTS_PURGED = "recipients.contacts_purged", _("Contact details erased")
    INCIDENT_OWNER_CHANGED = "incident.owner_changed", _("Owner changed")
    REMINDER_SENT = "reminder.sent", _("Deadline reminder sent")
    CHECKLIST_DONE = "checklist.done", _("Checklist item done")
    CHECKLIST_WAIVED = "checklist.waived", _("Checklist item waived")
    CHECKLIST_ASSIGNED = "checklist.assigned", _("Checklist item assigned")
    DRILL_DELETED = "drill.deleted", _("Drill deleted")

class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


def audit_key_id(key: str) -> str:
    """Return the short public id of an audit key (stored beside what it signed)."""
    return hashlib.sha256(b"breachline audit key id\n" + key.encode("utf-8")).hexdigest()[:16]


def _keys_by_id() -> dict[str, bytes]:
    return {audit_key_id(key): key.encode("utf-8") for key in settings.AUDIT_CHAIN_KEYS}


def _signing_key() -> tuple[str, bytes]:
    key = settings.AUDIT_CHAIN_KEYS[0]
    return audit_key_id(key), key.encode("utf-8")


def _mac(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def audit_canonical(event: Any) -> bytes:
    """Return the bytes an event's hash covers: every field but the hash and the key id."""
    body = {
        "incident": event.incident.ref if event.incident_id else None,
        "seq": event.seq,
        "actor": event.actor_name,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "created_at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "payload": event.payload,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def audit_chain_label(incident_id: int | None) -> str:
    return f"incident:{incident_id}" if incident_id else ORGANISATION_CHAIN


def audit_head_message(chain: str, seq: int, last_hash: str) -> bytes:
    return f"{chain}\n{seq}\n{last_hash}".encode()


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
    key_id = models.CharField(max_length=16, default="", help_text="Id of the audit key that signed this event.")

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
        return audit_canonical(self)


class AuditHead(models.Model):
    """The last position and hash of one chain, signed with the audit key."""

    chain = models.CharField(max_length=40, unique=True)
    incident = models.OneToOneField(
        "incidents.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_head"
    )
    seq = models.PositiveIntegerField()
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=64)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.chain} at #{self.seq}"


def _plain(payload: dict[str, Any] | None) -> dict[str, Any]:
    """Return the payload as the JSON types it will have after a database round trip."""
    return json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))


def audit_record(
    *,
    actor,
    action: AuditAction,
    incident=None,
    from_state: str = "",
    to_state: str = "",
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the incident's chain, move the chain's signed head, and return the event.

    Call inside the transaction that makes the change. Callers that write to an incident hold its
    row lock, so two events can never take the same position; the unique constraint on
    (incident, seq) refuses a fork if one ever tried.
    """
    previous = AuditEvent.objects.filter(incident=incident).order_by("-seq").first()
    key_id, key = _signing_key()
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
        key_id=key_id,
    )
    event.hash = _mac(key, event.canonical())
    event.save()
    chain = audit_chain_label(event.incident_id)
    AuditHead.objects.update_or_create(
        chain=chain,
        defaults={
            "incident": incident,
            "seq": event.seq,
            "hash": event.hash,
            "key_id": key_id,
            "signature": _mac(key, audit_head_message(chain, event.seq, event.hash)),
            "updated_at": event.created_at,
        },
    )
    return event


def audit_export(*, actor: Actor, incident, export: str, rows: int, details: dict[str, Any] | None = None) -> AuditEvent:
    """Record that ``actor`` exported decrypted personal data of ``incident``: which export and how many
    rows, never the data itself. Takes the incident's row lock, as every writer of its chain does."""
    with transaction.atomic():
        locked = type(incident).objects.select_for_update().get(pk=incident.pk)
        return audit_record(
            actor=actor, action=AuditAction.PERSONAL_DATA_EXPORTED, incident=locked,
            payload={"export": export, "rows": rows, **(details or {})},
        )


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    seq: int
    reason: str


def _event_break(event: AuditEvent, expected_seq: int, expected_prev: str, keys: dict[str, bytes]) -> str:
    if event.seq != expected_seq:
        return f"expected position {expected_seq}: an event is missing or out of order"
    if event.prev_hash != expected_prev:
        return "prev_hash does not match the previous event's hash"
    key = keys.get(event.key_id)
    if key is None:
        return "signed with an unknown audit key (not in AUDIT_CHAIN_KEYS)"
    if not hmac.compare_digest(_mac(key, event.canonical()), event.hash):
        return "hash does not match the event's content: it was altered"
    return ""


def _head_break(head: AuditHead | None, last: AuditEvent | None, keys: dict[str, bytes]) -> ChainBreak | None:
    if head is None:
        return None if last is None else ChainBreak(last.pk, last.seq, "the chain has no signed head")
    key = keys.get(head.key_id)
    message = audit_head_message(head.chain, head.seq, head.hash)
    if key is None or not hmac.compare_digest(_mac(key, message), head.signature):
        return ChainBreak(None, head.seq, "the chain's head signature is invalid: the head was altered")
    if last is None or last.seq < head.seq:
        seen = last.seq if last else 0
        return ChainBreak(None, head.seq, f"events #{seen + 1} to #{head.seq} are missing: the tail was deleted")
    if last.seq > head.seq:
        return ChainBreak(last.pk, last.seq, f"events after #{head.seq} were appended behind the application")
    if not hmac.compare_digest(last.hash, head.hash):
        return ChainBreak(last.pk, last.seq, "the last event does not match the signed head: it was rewritten")
    return None


def audit_verify_chain(events: Iterable[AuditEvent], head: AuditHead | None) -> ChainBreak | None:
    """Recompute one chain in order and compare it with its head; return the first break, or None."""
    keys = _keys_by_id()
    expected_prev, expected_seq, last = GENESIS, 1, None
    for event in events:
        reason = _event_break(event, expected_seq, expected_prev, keys)
        if reason:
            return ChainBreak(event.pk, event.seq, reason)
        expected_prev, expected_seq, last = event.hash, expected_seq + 1, event
    return _head_break(head, last, keys)


def audit_anchor_heads(*, now: datetime) -> int:
    """Write every chain's signed head to the anchor log (and AUDIT_ANCHOR_FILE, and a new object in
    AUDIT_ANCHOR_S3_BUCKET); return how many.

    An anchor written outside the database is what proves a chain was once longer, should someone
    with superuser rights put back an older head together with a shortened chain.
    """
    lines = [
        json.dumps(
            {"at": now.astimezone(UTC).isoformat(), "chain": head.chain, "seq": head.seq, "hash": head.hash,
             "key_id": head.key_id, "signature": head.signature},
            sort_keys=True,
        )
        for head in AuditHead.objects.order_by("chain")
    ]
    for line in lines:
        anchor_log.info(line)
    if settings.AUDIT_ANCHOR_FILE and lines:
        with Path(settings.AUDIT_ANCHOR_FILE).open("a", encoding="utf-8") as sink:
            sink.write("".join(f"{line}\n" for line in lines))
    if anchor_bucket_configured() and lines:
        anchor_bucket_write(lines=lines, now=now)
    return len(lines)


def audit_check_anchors(lines: Iterable[str]) -> list[str]:
    """Return one sentence per anchored head that today's chains no longer contain."""
    problems = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        anchor = json.loads(line)
        chain, seq = anchor["chain"], anchor["seq"]
        where = models.Q(incident=None) if chain == ORGANISATION_CHAIN else models.Q(incident_id=int(chain.split(":", 1)[1]))
        event = AuditEvent.objects.filter(where, seq=seq).first()
        if event is None:
            problems.append(f"anchor line {number}: {chain} had event #{seq}, which is gone")
        elif not hmac.compare_digest(event.hash, anchor["hash"]):
            problems.append(f"anchor line {number}: {chain} event #{seq} differs from the anchored one")
    return problems
