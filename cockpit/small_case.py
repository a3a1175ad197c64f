"""The small case: a handful of people (a misdirected e-mail) notified by e-mail without a file to import.

From the incident page, once it is assessed, a responder types each person's name and e-mail address; one step
imports them (through the importer's own checks), drafts the notice to individuals and submits it for legal's
review. Legal then approves and sends it in one step from the notice's page.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from incidents.actors import Actor, require_permission
from incidents.errors import Conflict
from incidents.models import Audience, Incident
from notifications.models import Notice
from notifications.notices.services import DRAFTABLE_STATES, notice_transition, notices_draft
from notifications.recipients.importing import recipients_import

SMALL_CASE_LIMIT = 10


@dataclass(frozen=True)
class SmallCasePerson:
    name: str
    email: str
    jurisdiction: str


def small_case_size(*, incident: Incident) -> int | None:
    """How many people the small-case form asks for, or None when the incident is not a small case (yet).

    A small case is assessed (or later, still open), affects at most ``SMALL_CASE_LIMIT`` people, and has no
    imported person and no notice yet.
    """
    if incident.state not in DRAFTABLE_STATES:
        return None
    total = sum(incident.affected_counts().values())
    if not 0 < total <= SMALL_CASE_LIMIT or incident.recipients.exists() or incident.notices.exists():
        return None
    return total


def _rejections(report: str) -> dict[str, list[str]]:
    """The importer's rejects report as errors on the form's fields: ``name_N`` or ``email_N`` for person N."""
    errors: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(report)):
        field = "name" if row["reason"].startswith("name") else "email"
        errors.setdefault(f"{field}_{row['row']}", []).append(row["reason"])
    return errors


@transaction.atomic
def small_case_notify(*, actor: Actor, incident: Incident, people: list[SmallCasePerson]) -> Notice:
    """Import ``people``, draft the notice to individuals and submit it for legal's review; return the notice.

    All or nothing: a person the importer refuses (or drops a contact of) raises ValidationError naming that
    person's field (``name_N`` or ``email_N``, counted from 1) and nothing is stored. Raises Conflict when the incident is no (longer
    a) small case, or when no duty to notify individuals needs a notice (the message says which duties there are).
    """
    require_permission(actor, "notifications.import_recipients")
    require_permission(actor, "notifications.add_notice")
    size = small_case_size(incident=incident)
    if size is None:
        raise Conflict(_("%(ref)s is not a small case any more: people or notices were added, or it is not "
                         "assessed.") % {"ref": incident.ref})
    if not 0 < len(people) <= size:
        raise ValidationError({"__all__": [_("Give each of the %(count)s people affected.") % {"count": size}]})
    rows = ((number, {"external_id": f"{incident.ref}-{number}", "jurisdiction": person.jurisdiction,
                      "name": person.name, "email": person.email})
            for number, person in enumerate(people, start=1))
    report = io.StringIO()
    summary = recipients_import(actor=actor, incident=incident, rows=rows, source_name="small-case form",
                                rejects_stream=report, via="web")
    if summary.rejected or summary.kept_with_warnings:
        raise ValidationError(_rejections(report.getvalue()))
    drafted = notices_draft(actor=actor, incident=incident)
    notice = next((notice for notice in drafted if notice.audience == Audience.INDIVIDUALS), None)
    if notice is None:
        raise Conflict(_("No duty to notify individuals needs a notice for %(ref)s: see the obligations.") % {
            "ref": incident.ref})
    return notice_transition(actor=actor, notice=notice, name="submit")
