"""Key rotation for the sealed contact details of affected people.

Procedure (README, "Key rotation"):
1. Put the new key first in ``FIELD_ENCRYPTION_KEYS`` and keep the old ones after it;
   restart. New rows are sealed under the new key, old rows still open.
2. Run ``manage.py rotate_recipient_keys``: it re-seals, in batches, every row not yet
   under the first key, and may be interrupted and run again at any time.
3. When it reports ``remaining: 0``, remove the old key and restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from incidents.actors import Actor
from incidents.audit import AuditAction, audit_record
from notifications.models import crypto
from notifications.models.recipient import Recipient, recipient_context

ROTATION_BATCH_SIZE = 1000


@dataclass
class RotationResult:
    key_id: str
    rotated: int
    remaining: int


def _stale():
    return Recipient.objects.exclude(contact_sealed__startswith=f"{crypto.FORMAT}:{crypto.current_key_id()}:")


def _rotate_batch(after_id: int, batch_size: int) -> tuple[int, int]:
    """Re-seal one batch of stale rows with ids above ``after_id``; return (count, last id)."""
    with transaction.atomic():
        rows = list(
            _stale().filter(id__gt=after_id).order_by("id").select_for_update()
            .only("id", "personal_token", "contact_sealed")[:batch_size]
        )
        for row in rows:
            context = recipient_context(row.personal_token)
            row.contact_sealed = crypto.seal(crypto.unseal(row.contact_sealed, context=context), context=context)
        Recipient.objects.bulk_update(rows, ["contact_sealed"])
    return len(rows), rows[-1].id if rows else after_id


def recipients_rotate_keys(*, actor: Actor | None = None, batch_size: int = ROTATION_BATCH_SIZE) -> RotationResult:
    """Re-seal every recipient not yet under the first key, one short transaction per batch.

    Raises crypto.DecryptionError when a row was sealed under a key no longer configured
    (put that key back after the first one and run again).
    """
    rotated, last_id = 0, 0
    while True:
        count, last_id = _rotate_batch(last_id, batch_size)
        rotated += count
        if count < batch_size:
            break
    result = RotationResult(key_id=crypto.current_key_id(), rotated=rotated, remaining=_stale().count())
    with transaction.atomic():
        audit_record(
            actor=actor, action=AuditAction.RECIPIENTS_KEYS_ROTATED,
            payload={"key_id": result.key_id, "rotated": result.rotated, "remaining": result.remaining},
        )
    return result
