"""Checks of a notice to individuals as its readers get it: a sample person's copy in every channel and language.

1. Chinese that is Chinese, German that is German: no Latin-script text in a zh-Hans
   rendering beyond names, addresses, URLs and codes, no English in a German one
   (``script_check``); an element still in another language is named in the element
   checklist (``untranslated_elements``).
2. Messages people can verify: SMS and push carry the step to take, "we never ask for
   passwords or codes" and the verification code; every link is on the domain the
   e-mail names; the push body says something its title does not.
3. Readable: the English e-mail scores at least ``MIN_FLESCH`` on Flesch reading ease and
   averages under ``MAX_WORDS_PER_SENTENCE`` words a sentence.
4. The facts table (``facts_table``): no disagreement between channels and languages, no
   unfilled value, no claim of an event that did not happen.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import textstat
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.notices import rendering
from notifications.notices.facts_table import FactsTable, facts_table
from notifications.notices.languages import CHINESE, GERMAN
from notifications.notices.people import local_help
from notifications.notices.script_check import allowed_names, leftovers, typed_clauses

MIN_FLESCH = 60.0
MAX_WORDS_PER_SENTENCE = 20.0
URL = re.compile(r"https?://[^\s<>\"'）)]+")
# What every SMS and push must say, per language: the promise and the word before the code.
NEVER_ASK = {"en": "We never ask for passwords or codes", CHINESE: "我们绝不会索要密码或验证码",
             GERMAN: "Wir fragen nie nach Passwörtern oder Codes"}


def _names(version) -> list[str]:
    """What may stay in Latin letters: the facts' names, the local help's, our link domain, and
    California's literal title and headings, which its law gives in English."""
    literal = [rendering.TITLES["individuals"], *(msgid for msgid, _codes in rendering.SECTIONS)]
    return (allowed_names(version.facts) + [name for entry in local_help() for name in entry.names]
            + [rendering.link_domain()]
            + (literal if rendering.CALIFORNIA in version.notice.jurisdictions else []))


def untranslated_elements(version, language: str = CHINESE) -> dict[str, list[str]]:
    """``{element code: runs}`` for each element of ``language`` written (partly) in another language:
    Latin script in Chinese, English in German."""
    names, typed = _names(version), typed_clauses(version.facts)
    found = {}
    for code, text in (version.elements.get(language) or {}).items():
        runs = leftovers(text, language, allowed=names, typed=typed)
        if runs:
            found[code] = runs
    return found


def untranslated_by_language(version) -> dict[str, dict[str, list[str]]]:
    """``{language: {element code: runs}}`` over the notice's languages other than English."""
    return {language: found for language in version.notice.languages
            if (found := untranslated_elements(version, language))}


def sample_renderings(version) -> list[tuple[str, str, rendering.RenderedMessage]]:
    """A sample person's copy (every data category of the incident) of every channel and language."""
    notice = version.notice
    return [
        (channel, language, rendering.render_message(
            version=version, channel=channel, language=language,
            recipient=rendering.sample_recipient(notice, language)))
        for channel in notice.channels if channel in rendering.PARTS
        for language in notice.languages
    ]


def _script_problems(version, copies) -> list[str]:
    """Text in another language in a rendering that no element accounts for (those are named per element)."""
    problems = []
    untranslated = untranslated_by_language(version)
    names, typed = _names(version), typed_clauses(version.facts)
    for channel, language, message in copies:
        reported = [run for runs in untranslated.get(language, {}).values() for run in runs]
        runs = [run for run in leftovers(f"{message.subject}\n{message.text}", language, allowed=names, typed=typed)
                if not any(run in known or known in run for known in reported)]
        if runs:
            problems.append(_("The %(channel)s (%(language)s) has text in another language: \"%(text)s\".") % {
                "channel": channel, "language": language, "text": runs[0][:80]})
    return problems


def _link_problems(channel: str, language: str, text: str, domain: str) -> list[str]:
    return [
        _("The %(channel)s (%(language)s) links to %(link)s, which is not on %(domain)s, the only domain "
          "our messages promise.") % {"channel": channel, "language": language, "link": link, "domain": domain}
        for link in URL.findall(text) if urlsplit(link).netloc != domain
    ] if channel in ("sms", "push") else []


def _short_message_problems(version, copies) -> list[str]:
    problems = []
    domain = rendering.link_domain()
    for channel, language, message in copies:
        problems += _link_problems(channel, language, message.text, domain)
        if channel not in ("sms", "push"):
            continue
        with translation.override(language):
            code_word = _("Code")
        promise = NEVER_ASK.get(language, NEVER_ASK["en"])
        if promise not in message.text or code_word not in message.text:
            problems.append(_("The %(channel)s (%(language)s) must say \"%(promise)s\" and carry the "
                              "verification code.") % {"channel": channel, "language": language, "promise": promise})
        if channel == "push" and (not message.text.strip() or message.text.strip() in message.subject):
            problems.append(_("The push body (%(language)s) must say more than its title.") % {"language": language})
    return problems


def readability(text: str) -> tuple[float, float]:
    """Return (Flesch reading ease, average words per sentence) of English text."""
    return textstat.flesch_reading_ease(text), textstat.avg_sentence_length(text)


def _readability_problems(copies) -> list[str]:
    for channel, language, message in copies:
        if channel == "email" and language == "en":
            score, words = readability(message.text)
            if score < MIN_FLESCH or words >= MAX_WORDS_PER_SENTENCE:
                return [_("The English e-mail is hard to read: Flesch reading ease %(score).0f (at least %(min)s) and "
                          "%(words).1f words a sentence (under %(max)s). Use shorter sentences and words.") % {
                    "score": score, "min": int(MIN_FLESCH), "words": words, "max": int(MAX_WORDS_PER_SENTENCE)}]
    return []


def version_facts_table(version, copies=None) -> FactsTable:
    """The facts every channel and language of the version asserts, side by side."""
    copies = sample_renderings(version) if copies is None else copies
    return facts_table([(channel, language, message.text) for channel, language, message in copies],
                       facts=version.facts)


def reader_problems(version) -> list[str]:
    """Every problem a reader of the notice would meet (see the module's list); empty when none. An
    authority reads its document in each of its languages: the language and facts checks apply to it."""
    copies = sample_renderings(version)
    problems = _script_problems(version, copies) + version_facts_table(version, copies).problems
    if version.notice.audience == "individuals":
        problems += _short_message_problems(version, copies) + _readability_problems(copies)
    return problems
