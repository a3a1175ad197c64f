"""Reads of affected people: who may see them, and the population counts per jurisdiction."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from incidents.models import Incident
from notifications.models.recipient import Recipient


def population_counts(incident: Incident) -> list[dict]:
    """Return per jurisdiction the declared estimate, the people identified, and the larger (used by the rules)."""
    return [
        {"jurisdiction": row.jurisdiction, "declared": row.declared_count, "identified": row.identified_count,
         "count": row.count}
        for row in incident.affected.order_by("jurisdiction")
    ]


def recipients_visible(*, user, incident: Incident) -> QuerySet[Recipient]:
    if not user.has_perm("notifications.view_recipient"):
        raise PermissionDenied("You need the permission 'notifications.view_recipient' to see affected people.")
    return Recipient.objects.filter(incident=incident).order_by("id")
