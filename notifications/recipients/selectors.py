"""Reads of affected people: who may see them, the population counts per jurisdiction, and the latest uploads."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum

from incidents.models import Incident
from notifications.models.recipient import Recipient
from notifications.models.recipient_import import RecipientImport
from notifications.models.tally import PeopleTally

PEOPLE_PER_PAGE = 50
IMPORTS_SHOWN = 5


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


def people_count(incident: Incident, *, jurisdiction: str = "") -> int:
    """How many people the incident has (in ``jurisdiction`` when given), from the counts the database
    keeps: constant time, where COUNT(*) would read every person."""
    tallies = PeopleTally.objects.filter(incident=incident)
    if jurisdiction:
        tallies = tallies.filter(jurisdiction=jurisdiction)
    return tallies.aggregate(people=Sum("n"))["people"] or 0


def recipients_page(people: QuerySet[Recipient], *, after: int = 0) -> tuple[list[Recipient], int | None]:
    """One page of ``people`` after the person with id ``after`` (keyset: as fast on the last page as on
    the first); return the page and the id to continue after, or None on the last page."""
    rows = list(people.filter(id__gt=after).order_by("id").defer("contact_sealed")[: PEOPLE_PER_PAGE + 1])
    if len(rows) > PEOPLE_PER_PAGE:
        return rows[:PEOPLE_PER_PAGE], rows[PEOPLE_PER_PAGE - 1].pk
    return rows, None


def recipient_imports_recent(incident: Incident) -> QuerySet[RecipientImport]:
    """The incident's latest uploads, newest first, without their sealed file and report."""
    return RecipientImport.objects.filter(incident=incident).defer("upload_sealed", "rejects_sealed")[:IMPORTS_SHOWN]
