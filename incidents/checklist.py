"""The emergency plan: a checklist per incident type, copied onto each incident of that type.

Every item is done (when, by whom) or waived (with the reason); ``contain`` waits until none is left.
Each change is audited on the incident's chain.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.actors import Actor
from incidents.audit import AuditAction, audit_record
from incidents.models import ChecklistItem, Incident, IncidentType


def checklist_copy(*, incident: Incident, incident_type: IncidentType | None) -> list[ChecklistItem]:
    """Give the incident its type's checklist (call inside the transaction that creates the incident)."""
    if incident_type is None:
        return []
    return ChecklistItem.objects.bulk_create([
        ChecklistItem(incident=incident, position=item.position, text=item.text, owner=incident.owner)
        for item in incident_type.template_items.order_by("position", "pk")
    ])


def _locked(item: ChecklistItem, actor) -> ChecklistItem:
    if not actor.has_perm("incidents.change_checklistitem"):
        raise PermissionDenied(_("You may not change the checklist."))
    Incident.objects.select_for_update().get(pk=item.incident_id)
    return ChecklistItem.objects.select_related("incident").get(pk=item.pk)


def _audit(actor, item: ChecklistItem, action: AuditAction, **payload) -> None:
    audit_record(actor=actor, action=action, incident=item.incident, payload={"item": item.text, **payload})


@transaction.atomic
def checklist_item_done(*, actor: Actor, item: ChecklistItem) -> ChecklistItem:
    """Record the item as done now, by ``actor``."""
    locked = _locked(item, actor)
    locked.done_at, locked.done_by_id, locked.waiver_reason = timezone.now(), actor.pk, ""
    locked.save(update_fields=["done_at", "done_by", "waiver_reason"])
    _audit(actor, locked, AuditAction.CHECKLIST_DONE)
    return locked


@transaction.atomic
def checklist_item_waive(*, actor: Actor, item: ChecklistItem, reason: str) -> ChecklistItem:
    """Waive the item with the reason it does not apply to this incident."""
    if not reason.strip():
        raise ValidationError({"reason": [_("A waiver needs its reason.")]})
    locked = _locked(item, actor)
    locked.waiver_reason, locked.done_at, locked.done_by = reason.strip(), None, None
    locked.save(update_fields=["waiver_reason", "done_at", "done_by"])
    _audit(actor, locked, AuditAction.CHECKLIST_WAIVED, reason=reason.strip())
    return locked


@transaction.atomic
def checklist_item_assign(*, actor: Actor, item: ChecklistItem, owner) -> ChecklistItem:
    """Give the item to ``owner``."""
    locked = _locked(item, actor)
    locked.owner = owner
    locked.save(update_fields=["owner"])
    _audit(actor, locked, AuditAction.CHECKLIST_ASSIGNED, owner=owner.username)
    return locked
