"""The languages a notice is written in, and the words that change with the language.

Every notice is drafted in English; a notice to individuals adds Simplified Chinese, and
the language of the places its people live in (``settings.RESIDENCE_LANGUAGES``: German
for Germany, Austria and Liechtenstein); a notice to an authority adds the authority's
language where it is one we write (the rule file's ``language``: "Chinese", "German").
The helpers below work in the active language (call under ``translation.override``):
data-category names, lists and numbers.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language

from incidents.rules import categories

ENGLISH, CHINESE, GERMAN = "en", "zh-hans", "de"
LABELS_FILE = Path(__file__).with_name("category_labels.toml")
# An authority's language as its rule file names it -> the notice language we write it in.
AUTHORITY_LANGUAGES = {"Chinese": CHINESE, "German": GERMAN}


def active() -> str:
    return get_language() or ENGLISH


def is_chinese(language: str | None = None) -> bool:
    return (language or active()).startswith("zh")


def ordered(languages) -> list[str]:
    """``languages`` in the order of ``settings.NOTICE_LANGUAGES`` (English first: the fallback)."""
    wanted = set(languages)
    return [code for code, _name in settings.NOTICE_LANGUAGES if code in wanted]


# What every notice to people is written in, wherever they live.
EVERYONES = frozenset({ENGLISH, CHINESE})


def for_individuals(places) -> list[str]:
    """English and Chinese for every notice to people, and the language of each place they live in."""
    return ordered(EVERYONES | {settings.RESIDENCE_LANGUAGES[place] for place in places
                                if place in settings.RESIDENCE_LANGUAGES})


def read_in(place: str, notice_languages) -> list[str]:
    """The notice's languages its readers in ``place`` may get: everyone's, and the place's own."""
    return [language for language in notice_languages
            if language in EVERYONES or settings.RESIDENCE_LANGUAGES.get(place) == language]


def for_authority(authority_languages) -> list[str]:
    """English, and the authority's own language when we write it ("German; English accepted" counts)."""
    found = {ENGLISH}
    for text in authority_languages:
        found |= {code for name, code in AUTHORITY_LANGUAGES.items() if (text or "").startswith(name)}
    return ordered(found)


@cache
def _other_labels() -> dict[str, dict[str, str]]:
    labels = tomllib.loads(LABELS_FILE.read_text(encoding="utf-8"))
    for language, table in labels.items():
        missing = sorted(categories.CODES - set(table))
        if missing:
            raise ValueError(f"{LABELS_FILE.name}: [{language}] lacks {', '.join(missing)}")
    return labels


def category_label(code: str, language: str | None = None) -> str:
    """The data category's name in ``language`` (the active one by default); the code when unknown."""
    language = language or active()
    category = categories.BY_CODE.get(code)
    if category is None:
        return code
    if is_chinese(language):
        return category.label_zh
    return _other_labels().get(language, {}).get(code, category.label)


def join(items: list[str]) -> str:
    return "、".join(items) if is_chinese() else ", ".join(items)


def number(value: int) -> str:
    """1,202,950 in English and Chinese, 1.202.950 in German."""
    text = f"{value:,}"
    return text.replace(",", ".") if active() == GERMAN else text
