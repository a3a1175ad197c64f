"""Printed letters for the mail house: one PDF with a letter for each person flagged ``needs_printed_letter``.

Each letter is the notice version's "letter" rendering in the person's language, rendered
once per (version, language) and personalised per person with drafting's own functions,
the way fan-out renders e-mails (``notifications.notices.rendering.BatchRenderer``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from itertools import chain
from typing import BinaryIO

from django.db import transaction
from django.utils import translation

from incidents.actors import Actor, require_permission
from incidents.audit import AuditAction, audit_record
from incidents.errors import Conflict
from incidents.models import Incident
from notifications.delivery import evidence
from notifications.models import Delivery, Notice, NoticeVersion
from notifications.notices import pdf, rendering

# The letters carry what the merge file (letters.csv) carries: names and postal addresses.
PERMISSIONS = ("notifications.export_delivery", "notifications.view_recipient_contact")


class _LetterTexts:
    """The letter rendering of each (version, language) once, and each person's copy of it."""

    def __init__(self) -> None:
        self._versions: dict[int, NoticeVersion] = {}
        self._shared: dict[tuple[int, str], tuple[str, str, frozenset[str]]] = {}

    def letter(self, delivery: Delivery) -> pdf.Letter:
        if delivery.version_id not in self._versions:
            self._versions[delivery.version_id] = NoticeVersion.objects.select_related("notice").get(
                pk=delivery.version_id
            )
        version = self._versions[delivery.version_id]
        language = delivery.language if delivery.language in version.elements else "en"
        key = (version.pk, language)
        with translation.override(language):
            if key not in self._shared:
                context = rendering.render_context(version, language)
                message = rendering.render_message(version=version, channel="letter", language=language)
                headings = frozenset(section["heading"] for section in context["sections"])
                self._shared[key] = (message.text, context["title"], headings)
            values = rendering.personal_values(version, delivery.recipient)
        text, title, headings = self._shared[key]
        person = delivery.recipient
        return pdf.Letter(name=person.name, address=person.postal_address, language=language,
                          text=rendering.personalise(text, values, html=False), title=title, headings=headings)


def letters_pdf_write(
    *, actor: Actor, notice: Notice, stream: BinaryIO, progress: Callable[[int], None] | None = None
) -> int:
    """Write the notice's printed letters to the binary ``stream``; return the number of letters.
    ``progress``, when given, is told how many letters are laid out so far, after each one.

    1. Check the permissions to export deliveries and to see people's contact details.
    2. Refuse (Conflict) when nobody is flagged for a letter, before writing anything.
    3. Write one letter per flagged person, each from a new page: people are read and
       decrypted one at a time and laid out a part at a time (``pdf.letters_pdf``).
    4. Record the audit event: counts only, never a person's details.
    Raises PermissionDenied or Conflict.
    """
    for permission in PERMISSIONS:
        require_permission(actor, permission, f"You need the permission '{permission}' to print letters.")
    deliveries = evidence.letter_deliveries(notice=notice)
    first = next(deliveries, None)
    if first is None:
        raise Conflict(f"Nobody is flagged for a printed letter on notice {notice.pk}.")
    texts, languages = _LetterTexts(), Counter[str]()

    def letters() -> Iterator[pdf.Letter]:
        for delivery in chain([first], deliveries):
            letter = texts.letter(delivery)
            languages[letter.language] += 1
            if progress is not None:
                progress(languages.total())
            yield letter

    facts = notice.current_version.facts
    pages = pdf.letters_pdf(
        letters=letters(), stream=stream, title=f"{facts.get('ref', '')}: printed letters, notice {notice.pk}",
        author=facts.get("organisation", {}).get("legal_name", ""),
    )
    count = sum(languages.values())
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=notice.incident_id)
        audit_record(
            actor=actor, action=AuditAction.NOTICE_LETTERS_PRINTED, incident=incident,
            payload={"notice": notice.pk, "letters": count, "pages": pages, "languages": dict(sorted(languages.items()))},
        )
    return count
