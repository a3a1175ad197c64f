"""Text left untranslated: Latin script in a zh-Hans text, English in a German one.

What may stay: names and addresses the notice's facts carry (the organisation, its DPO,
its address, the services of the local help), URLs, e-mail addresses, the per-person
placeholders, and codes (upper-case abbreviations and identifiers such as ``IP``,
``PIN``, ``INC-2026-0001``, zone names such as ``Asia/Singapore``). In Chinese,
everything else in Latin letters is untranslated text. In German, which shares the
script, a sentence is still English when it holds a fact the responder typed in English
(the facts snapshot keeps those), or a word English uses and German never does.
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
    keys = ("legal_name", "dpo_name", "dpo_address", "website", "dpo_email", "dpo_phone", "call_centre_phone",
            "eu_representative", "pipl_representative", "email_sender", "sms_sender")
    names = [str(organisation.get(key) or "") for key in keys]
    names += [line.strip() for line in str(organisation.get("dpo_address") or "").splitlines()]
    # "Name, address; e-mail": the e-mail address goes first, so each part is a name of its own.
    names += [part.strip() for name in list(names) if ";" in name for part in name.split(";")]
    names += [delay.get("agency", "") for delay in facts.get("law_enforcement_delays", [])]
    names += [o.get("authority", "") for o in facts.get("obligations", [])]
    names += [filing.get("authority", "") for filing in facts.get("filings", [])]
    return [name for name in names if name]


# English function words no German sentence uses (German "was", "will", "also", "an", "in" are left out).
ENGLISH_WORDS = re.compile(
    r"\b(?:[Tt]he|and|of|to|is|are|were|[Ww]e|[Oo]ur|[Yy]ours?|[Yy]ou|with|for|from|have|has|been|by|"
    r"[Tt]his|that|not|[Pp]lease|which|who|can|should)\b")
SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
# The incident's and the organisation's facts people type in English.
TYPED_FACTS = ("description", "systems_affected", "containment_summary", "cause", "discovery",
               "secrets_protection", "measures_planned", "people_informed_reason", "development", "attacker_leads",
               "evidence_preservation", "support_requested", "accountability", "rectification", "lessons")
TYPED_ORGANISATION = ("call_centre_hours", "identity_protection_offer")


def typed_clauses(facts: dict) -> list[str]:
    """The clauses (two words or more) of every fact typed in English, longest first."""
    texts = [str(facts.get(key) or "") for key in TYPED_FACTS]
    texts += [measure.get("text", "") for measure in facts.get("measures", [])]
    texts += [str(facts.get("organisation", {}).get(key) or "") for key in TYPED_ORGANISATION]
    clauses = {clause.strip(" ,()") for text in texts for clause in re.split(r"[.;:\n]", text)}
    return sorted((clause for clause in clauses if len(WORD.findall(clause)) >= 2), key=len, reverse=True)


def english_leftovers(text: str, *, allowed: Iterable[str] = (), typed: Iterable[str] = ()) -> list[str]:
    """Return the English left in a text in another Latin-script language: each typed English clause
    found in it, then each sentence holding an English function word, once the allowed kinds are out."""
    for pattern in (EMAIL, URL):
        text = pattern.sub(" ", text)
    for name in sorted({name.strip() for name in allowed if name and name.strip()}, key=len, reverse=True):
        text = text.replace(name, " ")
    text = PLACEHOLDER.sub(" ", text)
    runs = []
    for clause in typed:
        if clause in text:
            runs.append(clause)
            text = text.replace(clause, " ")
    runs += [match.group(0).strip() for match in SENTENCE.finditer(text) if ENGLISH_WORDS.search(match.group(0))]
    return runs


def leftovers(text: str, language: str, *, allowed: Iterable[str] = (), typed: Iterable[str] = ()) -> list[str]:
    """What ``text``, written in ``language``, still holds in another language (nothing for English)."""
    if language.startswith("zh"):
        return latin_leftovers(text, allowed=allowed)
    if language.startswith("en"):
        return []
    return english_leftovers(text, allowed=allowed, typed=typed)
