"""Content checks a version must pass before legal can approve it.

1. Every required element (the union of the obligations' content rules) is
   present in every language of the notice.
2. Channel limits: SMS at most two segments and carrying the personal link,
   push title and body lengths, e-mail with a plain-text part.
3. California (Cal. Civ. Code 1798.82(d)): the literal title and five headings,
   and no text under 10 points in HTML (the PDF export uses 10 points or more by
   construction, ``pdf.BODY_POINTS``).
4. Mainland Chinese SMS: every template-only provider the SMS routing table
   uses for the notice's countries has an approved template in each language
   (``provider_templates``).

Every problem is a sentence that names what is wrong, for the person fixing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from incidents.models import Audience
from notifications.notices import provider_templates, rendering, senders
from notifications.notices.languages import CHINESE
from notifications.notices.reader_checks import reader_problems, untranslated_by_language
from notifications.notices.requirements import ALERT, element_label, element_requirements

SMS_MAX_SEGMENTS = 2
PUSH_TITLE_MAX = 65
PUSH_BODY_MAX = 240
MIN_POINTS = 10.0
CALIFORNIA_TITLE = "Notice of Data Breach"
CALIFORNIA_HEADINGS = (
    "What Happened", "What Information Was Involved", "What We Are Doing", "What You Can Do", "For More Information",
)

# GSM 03.38: the basic set costs one septet, the extension table two (escape + character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


@dataclass(frozen=True)
class SmsCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets, or UTF-16 code units
    segments: int


def _costs(text: str) -> tuple[str, list[int]]:
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        return "GSM-7", [2 if char in GSM7_EXTENSION else 1 for char in text]
    return "UCS-2", [len(char.encode("utf-16-le")) // 2 for char in text]


def sms_segments(text: str) -> SmsCount:
    """Count SMS segments: GSM-7 fits 160 septets in one, 153 per part of a longer message;
    UCS-2 (any character outside GSM-7, e.g. Chinese) 70, then 67. A character is never split
    across parts (an escape pair or a surrogate pair stays together)."""
    encoding, costs = _costs(text)
    single, part = (160, 153) if encoding == "GSM-7" else (70, 67)
    units = sum(costs)
    if units <= single:
        return SmsCount(encoding, units, 1 if units else 0)
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return SmsCount(encoding, units, segments)


# Elements.


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    required_by: tuple[str, ...]
    status: str  # present, missing, untranslated or not_required
    missing_languages: tuple[str, ...] = ()
    condition: str = ""
    untranslated_languages: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "required_by": list(self.required_by),
                "status": self.status, "missing_languages": list(self.missing_languages),
                "untranslated_languages": list(self.untranslated_languages), "condition": self.condition}


def _obligation_sources(notice) -> list[tuple[str, list[str]]]:
    return [(f"{o.jurisdiction}: {o.basis or o.authority}", list(o.content)) for o in notice.obligations.all()]


def version_checklist(version) -> list[ChecklistItem]:
    """Each element some obligation requires, present, missing or untranslated (a Chinese text still in
    another script, a German one still in English, is not counted as present) in each of the notice's
    languages."""
    notice = version.notice
    untranslated = untranslated_by_language(version)
    requirements = element_requirements(
        audience=notice.audience, obligations=_obligation_sources(notice), facts=version.facts)
    items = []
    for req in requirements:
        missing = tuple(language for language in notice.languages if not version.text(language, req.code).strip())
        other = tuple(language for language, found in untranslated.items() if req.code in found)
        status = "not_required" if not req.applies else (
            "missing" if missing else "untranslated" if other else "present")
        items.append(ChecklistItem(req.code, element_label(req.code), req.sources, status,
                                   missing if req.applies else (), req.condition, other))
    return items


def missing_element_problems(version) -> list[str]:
    """A sentence per required element missing in some language, and per element still untranslated in one
    (required or not: every text of the notice reaches its readers)."""
    problems = [_("Missing element: %(label)s (%(code)s) in %(languages)s.") % {
        "label": item.label, "code": item.code, "languages": ", ".join(item.missing_languages)}
        for item in version_checklist(version) if item.status == "missing"]
    for language, found in untranslated_by_language(version).items():
        for code, runs in found.items():
            if language == CHINESE:
                problems.append(_("Untranslated text in the Chinese %(label)s (%(code)s): \"%(text)s\". Write it "
                                  "in Chinese.") % {"label": element_label(code), "code": code, "text": runs[0][:80]})
            else:
                problems.append(_("Untranslated text in the %(language)s %(label)s (%(code)s): \"%(text)s\". "
                                  "Write it in that language.") % {
                    "language": language, "label": element_label(code), "code": code, "text": runs[0][:80]})
    return problems


# Channels.


def _sms_problems(message, language: str, sample) -> list[str]:
    """``sample`` is a sample person's copy (every category of the incident): what is counted."""
    problems = []
    if "[[link]]" not in message.text:
        problems.append(_("SMS (%(language)s) must carry the person's link to the full notice ([[link]]).")
                        % {"language": language})
    count = sms_segments(sample.text)
    if count.segments > SMS_MAX_SEGMENTS:
        problems.append(_(
            "SMS (%(language)s) needs %(segments)s segments (%(units)s %(encoding)s characters with the link); "
            "at most %(max)s are allowed: shorten the alert."
        ) % {"language": language, "segments": count.segments, "units": count.units, "encoding": count.encoding,
             "max": SMS_MAX_SEGMENTS})
    return problems


def _push_problems(message, language: str, sample) -> list[str]:
    problems = []
    if len(sample.subject) > PUSH_TITLE_MAX:
        problems.append(_("Push title (%(language)s) has %(length)s characters; at most %(max)s are allowed.")
                        % {"language": language, "length": len(sample.subject), "max": PUSH_TITLE_MAX})
    if len(sample.text) > PUSH_BODY_MAX:
        problems.append(_("Push body (%(language)s) has %(length)s characters; at most %(max)s are allowed.")
                        % {"language": language, "length": len(sample.text), "max": PUSH_BODY_MAX})
    if not message.text.strip():
        problems.append(_("Push body (%(language)s) is empty: write the alert element.") % {"language": language})
    return problems


def _email_problems(message, language: str, sample) -> list[str]:
    if message.text.strip():
        return []
    return [_("E-mail (%(language)s) has no plain-text part.") % {"language": language}]


CHANNEL_CHECKS = {"sms": _sms_problems, "push": _push_problems, "email": _email_problems}


# California.

_FONT_SIZE = re.compile(r"font-size\s*:\s*([\d.]+)\s*(pt|px|em|rem|%)", re.IGNORECASE)
_BODY_RULE = re.compile(r"body\s*\{[^}]*\}", re.IGNORECASE)
_POINTS_PER = {"pt": 1.0, "px": 0.75, "em": 12.0, "rem": 12.0, "%": 0.12}


def html_font_problems(html: str) -> list[str]:
    """The HTML must set its body text size, and no declared size may be under 10 points
    (em, rem and % are taken against the 12-point browser default)."""
    problems = []
    body = _BODY_RULE.search(html)
    if body is None or not _FONT_SIZE.search(body.group(0)):
        problems.append(_("The HTML does not set the body text size; California requires at least 10-point type."))
    for value, unit in _FONT_SIZE.findall(html):
        points = float(value) * _POINTS_PER[unit.lower()]
        if points < MIN_POINTS:
            problems.append(_("Text set at %(size)s%(unit)s (%(points).1f points) is smaller than 10 points.")
                            % {"size": value, "unit": unit, "points": points})
    return problems


def california_problems(channel: str, language: str, message) -> list[str]:
    problems = []
    for part, body in (("text", message.text), ("HTML", message.html)):
        if not body:
            continue
        for literal in (CALIFORNIA_TITLE, *CALIFORNIA_HEADINGS):
            if literal not in body:
                problems.append(_("California: the %(channel)s %(part)s (%(language)s) lacks \"%(literal)s\".")
                                % {"channel": channel, "part": part, "language": language, "literal": literal})
    if message.html:
        problems += [f"California ({channel}, {language}): {problem}" for problem in html_font_problems(message.html)]
    return problems


def channel_problems(version) -> list[str]:
    """Every channel limit and literal rule the version's renderings break, in every language."""
    notice = version.notice
    california = rendering.CALIFORNIA in notice.jurisdictions and notice.audience == Audience.INDIVIDUALS
    problems = []
    for channel, language, message in rendering.renderings(version):
        if channel in CHANNEL_CHECKS:
            sample = rendering.render_message(version=version, channel=channel, language=language,
                                              recipient=rendering.sample_recipient(notice, language))
            problems += CHANNEL_CHECKS[channel](message, language, sample)
        if california and channel == "announcement":
            problems += california_problems(channel, language, message)
    for channel, language, message in rendering.california_renderings(version) if california else []:
        if channel in ("email", "letter"):
            problems += california_problems(channel, language, message)
    if notice.audience == Audience.INDIVIDUALS and {"sms", "push"} & set(notice.channels):
        problems += [_("The alert for SMS and push is empty in %(language)s.") % {"language": language}
                     for language in notice.languages if not version.text(language, ALERT).strip()]
    return problems + provider_templates.template_problems(notice)


def approval_problems(version) -> list[str]:
    """Every reason the version cannot be approved, in the reader's language; empty when it can."""
    if version is None:
        return [_("The notice has no version to approve.")]
    return (missing_element_problems(version) + channel_problems(version) + reader_problems(version)
            + senders.sender_problems(version.facts.get("organisation", {}), list(version.notice.channels)))


def notice_problems(notice) -> list[str]:
    """Return, once per loaded notice, every reason its current version cannot be approved.

    The result is kept on the notice, where the ``approve`` transition's condition reads it.
    """
    if notice.checked_problems is None:
        notice.checked_problems = approval_problems(notice.current_version)
    return notice.checked_problems
