"""One table of facts before approval: what every channel and language of a notice asserts, side by side.

From each rendering (a sample reader's copy, so dates and per-person text are filled)
the table extracts counts of people or records, dates, data categories and claims
(a filing with an authority, a message sent to people). Legal reads it in the
approval page; approval is refused when

1. a fact appears in one language of a channel and not in another, or in a short
   channel (SMS, push) and in no full text of its language;
2. a value is unfilled (an empty ``—`` or a placeholder left in);
3. a claim is made that the facts do not support (a filing before any was recorded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from incidents.rules import categories
from notifications.notices.languages import category_label
from notifications.notices.local_time import MONTHS_DE

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
EN_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})\b")
ZH_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
EN_COUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+) (?:people|persons|individuals|records|accounts)\b")
# 条 alone also counts articles of a law (第27条): only 条记录 is a count of records.
ZH_COUNT = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+) ?(?:人|名|条记录|个账户)")
DE_DATE = re.compile(r"\b(\d{1,2})\. (" + "|".join(MONTHS_DE) + r") (\d{4})\b")
DE_COUNT = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+) (?:Personen|betroffene Personen|Betroffene|Datensätze|Konten)\b")
# A Python None leaks as "Telephone: None"; "None requested at this stage." is a sentence.
UNFILLED = re.compile(r"\[\[\w+\]\]|\{\{|—\s*$|:\s*—|：—|:\s*None\b", re.MULTILINE)
SHORT_CHANNELS = ("sms", "push")
# English names a category in any case ("Password", "your password", "passwords"), as a word of its own.
EN_CATEGORY = {category.code: re.compile(r"(?<!\w)" + re.escape(category.label) + r"s?(?!\w)", re.IGNORECASE)
               for category in categories.CATEGORIES}

# Claims and how each language words them; a claim needs the fact named in ``needs``.
CLAIMS = {
    "authorities_informed": {
        "label": gettext_noop("We have informed an authority"),
        "needs": "filings",
        "en": re.compile(r"\breported (?:it|this|the breach) to\b|\b(?:informed|notified) (?:the )?"
                         r"(?:authorit|regulator|supervisory)|^- [^\n]*: Reported to ", re.IGNORECASE | re.MULTILINE),
        # Our own sentences ("我们已于…向…报告了此次泄露", "已向…报告。"), not a researcher who reported to us.
        "zh-hans": re.compile(r"我们已于[^。]{1,80}报告了|^- [^。]*已向[^。]{1,80}报告。|已(?:向|通知)[^。]{0,20}(?:监管|主管部门|网信|机关|机构)",
                              re.MULTILINE),
        "de": re.compile(r"(?:Behörde|Aufsicht|Beauftragte)[^.\n]{0,120}\b(?:gemeldet|benachrichtigt|informiert)\b"
                         r"|^- [^\n]*: Gemeldet an ", re.MULTILINE),
    },
}


@dataclass
class FactRow:
    kind: str  # count, date, category, claim
    value: str
    label: str
    seen: set[tuple[str, str]] = field(default_factory=set)  # (channel, language)


@dataclass
class FactsTable:
    columns: list[tuple[str, str]]
    rows: list[FactRow]
    problems: list[str]

    def as_dict(self) -> dict:
        return {
            "columns": [{"channel": c, "language": lang} for c, lang in self.columns],
            "rows": [{"kind": row.kind, "value": row.value, "label": row.label,
                      "in": [{"channel": c, "language": lang} for c, lang in self.columns if (c, lang) in row.seen]}
                     for row in self.rows],
            "problems": self.problems,
        }


def _number(text: str) -> str:
    return f"{int(text.replace(',', '').replace('.', '')):,}"


def _dates(text: str, language: str) -> list[tuple[int, int, int]]:
    if language.startswith("zh"):
        return [(int(y), int(m), int(d)) for y, m, d in ZH_DATE.findall(text)]
    if language == "de":
        return [(int(y), MONTHS_DE.index(m) + 1, int(d)) for d, m, y in DE_DATE.findall(text)]
    return [(int(y), MONTHS.index(m) + 1, int(d)) for d, m, y in EN_DATE.findall(text)]


def extract(text: str, language: str) -> list[tuple[str, str, str]]:
    """Return ``(kind, value, label)`` for every fact the text asserts."""
    counts = ZH_COUNT if language.startswith("zh") else DE_COUNT if language == "de" else EN_COUNT
    facts = []
    for match in counts.finditer(text):
        value = _number(match.group(1))
        facts.append(("count", value, value))
    facts += [("date", f"{y:04d}-{m:02d}-{d:02d}", f"{y:04d}-{m:02d}-{d:02d}") for y, m, d in _dates(text, language)]
    for category in categories.CATEGORIES:
        label = category_label(category.code, language)
        if EN_CATEGORY[category.code].search(text) if language == "en" else label in text:
            facts.append(("category", category.code, category.label))
    for code, claim in CLAIMS.items():
        pattern = claim.get(language)
        if isinstance(pattern, re.Pattern) and pattern.search(text):
            facts.append(("claim", code, str(claim["label"])))
    return facts


def facts_table(renderings: list[tuple[str, str, str]], *, facts: dict) -> FactsTable:
    """Build the table from ``[(channel, language, text)]`` and list every disagreement and gap.

    ``facts`` is the version's snapshot: a claim whose ``needs`` key is empty there is unsupported.
    """
    columns = [(channel, language) for channel, language, _text in renderings]
    rows: dict[tuple[str, str], FactRow] = {}
    problems = []
    for channel, language, text in renderings:
        for kind, value, label in extract(text, language):
            rows.setdefault((kind, value), FactRow(kind, value, label)).seen.add((channel, language))
        for match in UNFILLED.finditer(text):
            problems.append(_("Unfilled value in the %(channel)s (%(language)s): \"%(text)s\".") % {
                "channel": channel, "language": language, "text": _around(text, match.start())})
    languages = list(dict.fromkeys(language for _c, language in columns))
    for row in rows.values():
        problems += _row_problems(row, columns, languages, facts)
    return FactsTable(columns, sorted(rows.values(), key=lambda r: (r.kind, r.value)), problems)


def _row_problems(row: FactRow, columns: list[tuple[str, str]], languages: list[str], facts: dict) -> list[str]:
    problems = []
    label = _(row.label) if row.kind == "claim" else row.label
    for channel in dict.fromkeys(c for c, _lang in columns):
        present = [lang for lang in languages if (channel, lang) in row.seen]
        absent = [lang for lang in languages if (channel, lang) in columns and (channel, lang) not in row.seen]
        if present and absent and channel not in SHORT_CHANNELS:
            problems.append(_("The %(channel)s says %(fact)s in %(present)s but not in %(absent)s.") % {
                "channel": channel, "fact": label, "present": ", ".join(present), "absent": ", ".join(absent)})
    for channel, language in sorted(row.seen):
        full = [(c, lang) for c, lang in columns if lang == language and c not in SHORT_CHANNELS]
        if channel in SHORT_CHANNELS and full and not any(column in row.seen for column in full):
            problems.append(_("The %(channel)s (%(language)s) says %(fact)s, which no full text of the notice says.")
                            % {"channel": channel, "language": language, "fact": label})
    needs = CLAIMS.get(row.value, {}).get("needs") if row.kind == "claim" else None
    if needs and not facts.get(needs):
        problems.append(_("The notice claims \"%(fact)s\" but no such event is recorded: say it only once it has "
                          "happened, with its date.") % {"fact": label})
    return problems


def _around(text: str, index: int) -> str:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return text[start:end if end != -1 else len(text)].strip()[:120]
