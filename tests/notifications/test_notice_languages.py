"""Simplified Chinese is complete for every element label and notice heading."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from incidents.rules.schema import CONTENT_ELEMENTS
from notifications.notices import rendering


def test_every_content_element_label_has_a_chinese_translation():
    with translation.override("zh-hans"):
        untranslated = [label for label in CONTENT_ELEMENTS.values() if gettext(label) == label]
    assert untranslated == []


def test_every_notice_title_and_heading_has_a_chinese_translation():
    msgids = [*rendering.TITLES.values(), *(heading for heading, _ in rendering.SECTIONS)]
    with translation.override("zh-hans"):
        assert [msgid for msgid in msgids if gettext(msgid) == msgid] == []


def test_the_catalogue_has_no_untranslated_or_fuzzy_entry_and_is_compiled():
    catalogue = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
    text = (catalogue / "django.po").read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]
    assert [entry for entry in entries if entry.rstrip().endswith('msgstr ""')] == []
    assert "#, fuzzy" not in text
    assert (catalogue / "django.mo").stat().st_mtime >= (catalogue / "django.po").stat().st_mtime - 1
