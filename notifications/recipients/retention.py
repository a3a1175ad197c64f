"""Keep the affected people's contact details no longer than needed.

The contact details (sealed names, e-mail addresses, phone numbers, postal addresses, push tokens) are the
most dangerous thing this tool holds. Once an incident is closed and the organisation's retention period
(``OrganisationProfile.contact_retention_days``, default 90) has passed, they are erased unless legal placed
a hold. What proves the notification stays: each person's external id, jurisdiction and keyed hashes, every
delivery with its times, status and provider id, and so the evidence CSV and its counts.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from incidents.actors import Actor
from incidents.audit import AuditAction, audit_record
from incidents.models import Incident, OrganisationProfile
from incidents.selectors import incidents_due_for_contact_purge
from notifications.models import Recipient


def incident_contacts_purge(*, actor: Actor | None, incident: Incident, now: datetime) -> int:
    """Erase one incident's sealed contact details and names; return how many people were erased.

    Re-checks under the incident's row lock that the incident is still closed, unheld and unpurged, so a
    hold placed or a reopen made meanwhile wins.
    """
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if not incidents_due_for_contact_purge(now=now).filter(pk=locked.pk).exists():
            return 0
        erased = Recipient.objects.filter(incident=locked).exclude(contact_sealed="").update(contact_sealed="")
        locked.contacts_purged_at = now
        locked.save(update_fields=["contacts_purged_at"])
        audit_record(
            actor=actor, action=AuditAction.RECIPIENTS_CONTACTS_PURGED, incident=locked,
            payload={"people": erased, "retention_days": OrganisationProfile.current().contact_retention_days},
        )
    return erased


def contacts_purge_due(*, actor: Actor | None, now: datetime) -> dict[str, int]:
    """Purge every incident past its retention; return people erased per incident reference."""
    return {
        incident.ref: incident_contacts_purge(actor=actor, incident=incident, now=now)
        for incident in incidents_due_for_contact_purge(now=now)
    }
