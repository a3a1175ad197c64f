"""Chinese that is Chinese: Latin-script text left in a zh-Hans text, outside what may stay in Latin.

What may stay: names and addresses the notice's facts carry (the organisation, its DPO,
its address, the services of the local help), URLs, e-mail addresses, the per-person
placeholders, and codes (upper-case abbreviations and identifiers such as ``IP``,
``PIN``, ``INC-2026-0001``, zone names such as ``Asia/Singapore``). Everything else
in Latin letters is untranslated text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"[A-Za-z0-9.+_-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
URL = re.compile(r"(?:https?://|www\.)[!-~]+|[A-Za-z0-9.-]+\.(?:gov|com|org|net|cn|sg|de)(?:\.[a-z]{2})?(?![A-Za-z])(?:/[!-~]*)?",
                 re.IGNORECASE)
PLACEHOLDER = re.compile(r"\[\[\w+\]\]")
ZONE = re.compile(r"[A-Z][A-Za-z_]+/[A-Za-z_/]+")
# A code: an all-capitals word (with digits or hyphens), or a word with a digit in it.
CODE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z][A-Z0-9]*(?:[-_][A-Z0-9]+)*|[A-Za-z-]*\d[A-Za-z0-9-]*)(?![A-Za-z0-9])")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def latin_leftovers(text: str, *, allowed: Iterable[str] = ()) -> list[str]:
    """Return the runs of Latin-script words in ``text`` that are none of the allowed kinds, in order."""
    # Addresses first: a name such as our link domain may be part of one.
    for pattern in (EMAIL, URL):
        text = pattern.sub(" ", text)
    for name in sorted({name.strip() for name in allowed if name and name.strip()}, key=len, reverse=True):
        text = text.replace(name, " ")
    for pattern in (PLACEHOLDER, ZONE, CODE):
        text = pattern.sub(" ", text)
    runs: list[str] = []
    for match in re.finditer(r"[A-Za-z][A-Za-z'’ ,.;:()-]*", text):
        run = match.group(0).strip(" ,.;:()-")
        if WORD.search(run):
            runs.append(run)
    return runs


def allowed_names(facts: dict) -> list[str]:
    """The names and addresses a notice's facts carry (the organisation's, the authorities'), which a
    Chinese text may keep in Latin letters."""
    organisation = facts.get("organisation", {})
    keys = ("legal_name", "dpo_name", "dpo_address", "website", "dpo_email", "dpo_phone", "call_centre_phone")
    names = [str(organisation.get(key) or "") for key in keys]
    names += [line.strip() for line in str(organisation.get("dpo_address") or "").splitlines()]
    names += [o.get("authority", "") for o in facts.get("obligations", [])]
    names += [filing.get("authority", "") for filing in facts.get("filings", [])]
    return [name for name in names if name]
