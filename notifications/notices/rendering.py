"""Rendering a notice version for a channel and a language, and the approval hash of every rendering.

Templates live under ``templates/notices/<audience>/``; a jurisdiction (rule code)
or a language overrides any of them by a file at
``notices/<audience>/<JURISDICTION>/<language>/<file>`` (English has no language
directory). Text people typed reaches templates only as variable values, so
``{{ }}`` and ``{% %}`` in it come out literally and HTML is escaped.

Per-person fields are placeholders in the rendering (``[[name]]``, ``[[link]]``,
``[[occurred_at]]``, ``[[aware_at]]``, ``[[notice_date]]``, the verification ``[[code]]``,
and in a person's own copy ``[[data_involved]]``, ``[[consequences]]``, ``[[what_you_can_do]]``,
``[[credit_bureaus]]``, ``[[reader]]``, ``[[data_short]]`` and ``[[action_short]]``, built from
their own data categories by ``notifications.notices.people``); approval hashes the
rendering with the placeholders in, with every fragment those are built from, and each
person's copy fills them last.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import select_template
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext, gettext_noop

from incidents.models import Audience
from notifications.models import Delivery
from notifications.models.crypto import keyed_hash
from notifications.notices import people, reports, senders
from notifications.notices.local_time import format_when, text_zone, zone_for
from notifications.notices.requirements import ALERT, ELEMENT_CODES, element_label

RENDER_CHANNELS = ("email", "sms", "push", "letter", "announcement")
PLACEHOLDER = re.compile(
    r"\[\[(name|link|occurred_at|aware_at|notice_date|code|data_involved|consequences|what_you_can_do|credit_bureaus"
    r"|reader|data_short|action_short)\]\]")
# Placeholders holding paragraphs or lists: in HTML they become paragraphs, not one escaped line.
BLOCKS = frozenset({"data_involved", "consequences", "what_you_can_do", "credit_bureaus", "reader"})
# The channels whose copy is the person's own; the announcement is public and incident-wide.
PERSONAL_CHANNELS = frozenset({"email", "letter", "sms", "push"})
# Element texts replaced by the person's own in their copy: element code -> placeholder.
PERSONAL_ELEMENTS = {"data_involved": "[[data_involved]]", "consequences": "[[consequences]]",
                     "credit_bureaus": "[[credit_bureaus]]"}
# The verification code's alphabet: no 0/O, 1/I/L look-alikes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PARTS = {  # channel -> (subject file, text file, html file)
    "email": ("subject.txt", "email.txt", "email.html"),
    "sms": (None, "sms.txt", None),
    "push": ("push_title.txt", "push.txt", None),
    "letter": ("subject.txt", "letter.txt", "letter.html"),
    "announcement": ("subject.txt", "announcement.txt", "announcement.html"),
}
CALIFORNIA = "US-CA"
TITLES = {
    "individuals": gettext_noop("Notice of Data Breach"),
    "regulator": gettext_noop("Personal data breach notification"),
    "consumer_reporting_agencies": gettext_noop("Notice of a data breach to consumer reporting agencies"),
    "media": gettext_noop("Statement on a data breach"),
    "controller": gettext_noop("Notice of a personal data breach to the controller"),
}
SAMPLE_NOTE = gettext_noop(
    "Sample copy of the notice sent to California residents, with every resident's personal information removed "
    "(Cal. Civ. Code 1798.82(f)).")
# The five headings of Cal. Civ. Code 1798.82(d)(1), used for every notice to individuals.
SECTIONS = (
    (gettext_noop("What Happened"), ("nature", "dates", "cause", "law_enforcement_delay", "reasons_for_delay")),
    (gettext_noop("What Information Was Involved"), ("data_involved", "numbers", "consequences")),
    (gettext_noop("What We Are Doing"), ("measures_taken", "identity_protection_offer")),
    (gettext_noop("What You Can Do"), ("what_you_can_do", "credit_bureaus")),
    (gettext_noop("For More Information"), ("contact",)),
)


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str = ""


def normalise_language(language: str | None) -> str:
    return (language or "en").strip().lower()


def template_names(*, audience: str, jurisdictions: list[str], language: str, filename: str) -> list[str]:
    """Return the template names to try, most specific first, English last."""
    audiences = [audience] if audience in ("individuals", "regulator") else [audience, "regulator"]
    names = []
    for lang in dict.fromkeys([language, "en"]):
        suffix = "" if lang == "en" else f"{lang}/"
        for aud in audiences:
            names += [f"notices/{aud}/{code}/{suffix}{filename}" for code in jurisdictions]
            names.append(f"notices/{aud}/{suffix}{filename}")
    return names


def _heading(msgid: str, california: bool) -> str:
    translated = gettext(msgid)
    # California's title and headings are literal: its readers in another language get both.
    if california and translated != msgid:
        return f"{msgid} / {translated}"
    return translated


def _section_texts(codes: tuple[str, ...], texts: dict[str, str], personal: bool) -> list[str]:
    """The section's element texts; in a person's copy, their own data and steps instead of the incident's."""
    result = []
    for code in codes:
        if personal and code == "what_you_can_do":
            result.append("[[what_you_can_do]]")
        if not texts.get(code, "").strip():
            continue
        result.append(PERSONAL_ELEMENTS[code] if personal and code in PERSONAL_ELEMENTS else texts[code])
    return result


def _individual_sections(texts: dict[str, str], *, personal: bool, california: bool) -> list[dict]:
    sections: list[dict] = []
    placed: set[str] = set()
    for msgid, codes in SECTIONS:
        placed.update(codes)
        sections.append({"heading": _heading(msgid, california), "texts": _section_texts(codes, texts, personal)})
    extra = [texts[code] for code in ELEMENT_CODES if code not in placed | {ALERT} and texts.get(code, "").strip()]
    sections[1]["texts"] += extra
    return sections


def _report_sections(report: reports.Report, texts: dict[str, str]) -> list[dict]:
    """The report's items in its order; an element no item names goes under "Other information"."""
    sections, placed = [], {ALERT}
    for item in report.items:
        placed.update(item.codes)
        found = [texts[code] for code in item.codes if texts.get(code, "").strip()]
        if found:
            sections.append({"heading": gettext(item.heading), "texts": found})
    other = [texts[code] for code in ELEMENT_CODES if code not in placed and texts.get(code, "").strip()]
    if other:
        sections.append({"heading": gettext(reports.OTHER), "texts": other})
    return sections


def _sections(notice, texts: dict[str, str], report: reports.Report | None, *, personal: bool,
              california: bool) -> list[dict]:
    if report is not None and report.sample_of_individual_notice:
        return _individual_sections(texts, personal=False, california=True)
    if report is not None:
        return _report_sections(report, texts)
    if notice.audience != Audience.INDIVIDUALS:
        return [{"heading": element_label(code), "texts": [texts[code]]} for code in ELEMENT_CODES
                if code != ALERT and texts.get(code, "").strip()]
    return _individual_sections(texts, personal=personal, california=california)


def _timeline(facts: dict, language: str, zone) -> list[tuple[str, str]]:
    rows = [(gettext_noop("Breach occurred"), facts.get("occurred_at")), (gettext_noop("Breach discovered"), facts.get("aware_at")),
            (gettext_noop("Breach contained"), facts.get("contained_at")), (gettext_noop("Risk assessed"), facts.get("assessed_at"))]
    rows += [(gettext_noop("Notification due"), obligation["due_at"]) for obligation in facts.get("obligations", [])]
    return [(gettext(label), format_when(value, zone=zone, language=language)) for label, value in rows if value]


def link_domain() -> str:
    """The host every link to a person's notice points at."""
    return urlsplit(settings.BREACHLINE_BASE_URL).netloc


def is_california_reader(notice, jurisdiction: str | None) -> bool:
    """California's literal title and headings go to its readers (and to every reader of a notice to
    California alone, e.g. the Attorney General's sample copy), never to readers elsewhere."""
    return CALIFORNIA in notice.jurisdictions and (jurisdiction == CALIFORNIA or notice.jurisdictions == [CALIFORNIA])


def render_context(version, language: str, *, channel: str = "", california: bool = False) -> dict:
    """The templates' context; ``channel`` in PERSONAL_CHANNELS makes the person's own copy."""
    notice, facts = version.notice, version.facts
    texts = {code: text for code, text in (version.elements.get(language) or {}).items()}
    zone = text_zone(facts)
    report = reports.BUILDERS.get(facts.get("report", ""))
    sample = report is not None and report.sample_of_individual_notice
    personal = notice.audience == "individuals" and channel in PERSONAL_CHANNELS
    if report is not None and sample:
        title = _heading(report.title, True)
    else:
        title = gettext(report.title) if report else _heading(
            TITLES.get(notice.audience, TITLES["regulator"]), california)
    return {
        "title": title, "report_basis": gettext(report.basis) if report and not sample else "",
        "sample_note": gettext(SAMPLE_NOTE) if sample else "",
        "sections": _sections(notice, texts, report, personal=personal, california=california),
        "alert": texts.get(ALERT, ""), "ref": facts.get("ref", ""),
        "from_address": senders.promised_email(facts.get("organisation", {})), "link_domain": link_domain(),
        "sms_sender": senders.promised_sms(facts.get("organisation", {})) if "sms" in notice.channels else "",
        "organisation": facts.get("organisation", {}), "facts": facts,
        "language": language, "authorities": [o["authority"] for o in facts.get("obligations", [])],
        "timeline": [] if sample else _timeline(facts, language, zone), "jurisdictions": notice.jurisdictions,
    }


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def _render(notice, language: str, filename: str | None, context: dict) -> str:
    if filename is None:
        return ""
    template = select_template(template_names(
        audience=notice.audience, jurisdictions=list(notice.jurisdictions), language=language, filename=filename))
    rendered = template.render(context)
    return rendered.strip() if filename.endswith(".html") else _tidy_text(rendered)


def _language_of(version, language: str | None) -> str:
    wanted = normalise_language(language)
    available = list(version.elements)
    return wanted if wanted in available else ("en" if "en" in available else available[0])


def personal_values(version, recipient) -> dict[str, str]:
    """The placeholders' values for one reader, dates in their jurisdiction's zone."""
    return readers_values(version, getattr(recipient, "jurisdiction", None))(recipient)


def verification_code(*, notice_id: int | None, token: str) -> str:
    """The short code a person finds in every message of one notice and on their personal page:
    six letters and digits (no look-alikes), keyed, so nobody without our key can make one up."""
    digest = int(keyed_hash("notice-code", f"{notice_id}:{token}")[:16], 16)
    letters = ""
    for _index in range(6):
        digest, position = divmod(digest, len(CODE_ALPHABET))
        letters += CODE_ALPHABET[position]
    return f"{letters[:3]}-{letters[3:]}"


def readers_values(version, jurisdiction: str | None) -> Callable[[object], dict[str, str]]:
    """``personal_values`` for readers in ``jurisdiction`` in the active language.

    What those readers share (the zone, the dates of the breach and of the notice, the
    greeting for a reader without a name, the texts for each set of data categories) is
    worked out once, here; the function returned needs no active language, so a fan-out
    can call it for each of thousands of people.
    """
    language = translation.get_language() or "en"
    zone = zone_for(jurisdiction)
    facts = version.facts
    customer, guardian, child = gettext("Customer"), gettext("Parent or guardian"), gettext("your child")
    note = people.guardian_template()
    conditional = {"credit_bureaus": version.text(language, "credit_bureaus")}
    dates = {
        "occurred_at": format_when(facts.get("occurred_at"), zone=zone, language=language),
        "aware_at": format_when(facts.get("aware_at"), zone=zone, language=language),
        "notice_date": format_when(timezone.now(), zone=zone, language=language, date_only=True),
    }
    own: dict[tuple[str, ...], dict[str, str]] = {}

    def values(recipient) -> dict[str, str]:
        data = tuple(people.own_categories(recipient, facts))
        if data not in own:
            with translation.override(language):
                own[data] = people.own_texts(list(data), jurisdiction, facts, conditional)
        token = getattr(recipient, "personal_token", "") or ""
        return {
            "name": people.reader_name(recipient, customer=customer, guardian=guardian),
            "reader": people.reader_note(recipient, child_fallback=child, template=note),
            "link": getattr(recipient, "personal_url", "") or "",
            "code": verification_code(notice_id=version.notice_id, token=token) if token else "",
            **own[data],
            **dates,
        }

    return values


def personalise(text: str, values: dict[str, str], *, html: bool) -> str:
    def value(match: re.Match) -> str:
        if not html:
            return values[match[1]]
        escaped = escape(values[match[1]])
        return escaped.replace("\n", "<br>\n") if match[1] in BLOCKS else escaped

    return PLACEHOLDER.sub(value, text)


def render_message(*, version, channel: str, language: str, recipient=None, california: bool | None = None,
                   ) -> RenderedMessage:
    """Render one channel of a version in one language (English when it has no such language).

    With ``recipient`` None the per-person placeholders stay in: that is what approval hashes;
    ``california`` then says whether to render California's copy (else the reader's residence says).
    Raises ValueError for an unknown channel.
    """
    if channel not in PARTS:
        raise ValueError(f"Unknown channel {channel!r}: use one of {', '.join(PARTS)}.")
    language = _language_of(version, language)
    notice = version.notice
    if california is None:
        # The public announcement serves California's readers among others.
        california = (CALIFORNIA in notice.jurisdictions if channel == "announcement"
                      else is_california_reader(notice, getattr(recipient, "jurisdiction", None)))
    subject_file, text_file, html_file = PARTS[channel]
    with translation.override(language):
        context = render_context(version, language, channel=channel, california=california)
        parts = [_render(notice, language, name, context) for name in (subject_file, text_file, html_file)]
        if recipient is not None:
            values = personal_values(version, recipient)
            parts = [personalise(part, values, html=index == 2) for index, part in enumerate(parts)]
        if notice.incident.is_drill:
            parts = _drill_marked(parts, channel)
    return RenderedMessage(subject=" ".join(parts[0].split()), text=parts[1], html=parts[2])


def _drill_marked(parts: list[str], channel: str) -> list[str]:
    """Put "[DRILL]" before a drill's subject, or before the text of a message without one (SMS)."""
    word = gettext("DRILL")
    mark = "[DRILL]" if word == "DRILL" else f"[{word} DRILL]"
    subject, text, html = parts
    if PARTS[channel][0] is None:
        return [subject, f"{mark} {text}", html]
    return [f"{mark} {subject}", text, html]


def sample_recipient(notice, language: str):
    """A stand-in reader for previews: a sample name and link, in the notice's first jurisdiction,
    with every data category of the incident."""
    with translation.override(normalise_language(language)):
        name = gettext("Alex Sample") if notice.audience == Audience.INDIVIDUALS else ", ".join(
            obligation.authority for obligation in notice.obligations.all())
    token = "X" * 43
    return SimpleNamespace(
        name=name, personal_url=f"{settings.BREACHLINE_BASE_URL}/n/{token}/", personal_token=token,
        jurisdiction=notice.jurisdictions[0] if notice.jurisdictions else None, data_categories=[], is_minor=False,
    )


def public_reader():
    """The reader of a public page: nobody in particular, dates in UTC, the incident's data."""
    return SimpleNamespace(name="", personal_url="", personal_token="", jurisdiction=None, data_categories=[],
                           is_minor=False)


def renderings(version) -> list[tuple[str, str, RenderedMessage]]:
    """Every channel in every language of the version, placeholders in (readers outside California)."""
    notice = version.notice
    return [
        (channel, language, render_message(version=version, channel=channel, language=language,
                                           california=None if channel == "announcement" else False))
        for channel in notice.channels if channel in PARTS
        for language in notice.languages
    ]


def california_renderings(version) -> list[tuple[str, str, RenderedMessage]]:
    """The copies California's readers get (its literal title and headings), when the notice covers California."""
    notice = version.notice
    if CALIFORNIA not in notice.jurisdictions:
        return []
    return [
        (channel, language, render_message(version=version, channel=channel, language=language, california=True))
        for channel in notice.channels if channel in PARTS and channel != "announcement"
        for language in notice.languages
    ]


def version_content_sha256(version) -> str:
    """SHA-256 of the facts snapshot, every rendering and every fragment a person's copy is built from,
    in a canonical JSON."""
    notice = version.notice
    fragments = {}
    for language in notice.languages:
        with translation.override(language):
            fragments[language] = people.fragments(version.facts, list(notice.jurisdictions))
    body = {
        "facts": version.facts,
        "renderings": [[channel, language, message.subject, message.text, message.html]
                       for channel, language, message in renderings(version) + california_renderings(version)],
        "people": fragments,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def version_matches_approval(version) -> bool:
    """True when the version was approved and renders today exactly as it did when approved."""
    if version is None or not version.content_sha256 or version.approved_at is None:
        return False
    return version_content_sha256(version) == version.content_sha256


class BatchRenderer:
    """Renders each (version, channel, language) once and personalises it for each person.

    ``render_message(recipient=...)`` renders the templates and then fills the
    per-person placeholders. The first step is the same for everyone and costs several
    milliseconds for an e-mail, which would dominate a million-person fan-out, so it runs
    once per batch here, and so does the part of the second that people in one
    jurisdiction share; only the rest runs per person, with drafting's own functions
    (the delivery tests check the result is identical).
    """

    def __init__(self) -> None:
        self._shared: dict[tuple, RenderedMessage] = {}
        self._readers: dict[tuple, Callable[[object], dict[str, str]]] = {}

    def render(self, delivery: Delivery) -> RenderedMessage:
        version, channel, recipient = delivery.version, delivery.channel, delivery.recipient
        language = delivery.language if delivery.language in version.elements else "en"
        california = is_california_reader(version.notice, recipient.jurisdiction)
        key = (version.pk, channel, language, california)
        if key not in self._shared:
            self._shared[key] = render_message(version=version, channel=channel, language=language,
                                               california=california)
        shared = self._shared[key]
        readers = (version.pk, recipient.jurisdiction, language)
        if readers not in self._readers:
            with translation.override(language):
                self._readers[readers] = readers_values(version, recipient.jurisdiction)
        values = self._readers[readers](recipient)
        return RenderedMessage(
            subject=" ".join(personalise(shared.subject, values, html=False).split()),
            text=personalise(shared.text, values, html=False),
            html=personalise(shared.html, values, html=True),
        )
