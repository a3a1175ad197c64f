"""Every user-visible string has its Simplified Chinese translation: makemessages finds nothing new to do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SOURCES = ("config", "incidents", "notifications", "cockpit", "templates", "locale", "manage.py")


# What people and authorities read: the notice texts and the pages people read them on.
NOTICE_SOURCES = (
    "notifications/notices/element_text.py", "notifications/notices/fact_text.py", "notifications/notices/people.py",
    "notifications/notices/reports.py", "notifications/notices/rendering.py", "notifications/notices/requirements.py",
    "notifications/notices/pdf.py", "templates/notices/", "templates/recipients/personal_notice.html",
    "templates/deliveries/announcement.html",
)


def _makemessages(tmp_path: Path, locale: str) -> Path:
    """Run makemessages on a copy, so the catalogue in the repository is only read; return the copy's catalogue."""
    for name in SOURCES:
        source = settings.BASE_DIR / name
        target = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(source, target)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", locale, "--no-obsolete", "--verbosity", "0"],
        cwd=tmp_path, check=True, env={**os.environ, "DEBUG": "1"},
    )
    return tmp_path / "locale" / locale / "LC_MESSAGES" / "django.po"


def _entries(catalogue: Path, flag: str) -> list[tuple[str, str]]:
    """``(references, msgid)`` of the entries msgattrib selects with ``flag``."""
    found = subprocess.run(["msgattrib", flag, "--no-wrap", str(catalogue)], capture_output=True, text=True,
                           check=True).stdout
    entries = []
    for block in found.split("\n\n"):
        references = " ".join(line[3:] for line in block.splitlines() if line.startswith("#: "))
        msgid = next((line[len("msgid "):] for line in block.splitlines() if line.startswith("msgid ")), '""')
        if msgid != '""':
            entries.append((references, msgid))
    return entries


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed (.ci/run installs it)")
def test_makemessages_finds_no_untranslated_or_fuzzy_entry_in_zh_hans(tmp_path: Path):
    catalogue = _makemessages(tmp_path, "zh_Hans")
    problems = {flag: [msgid for _references, msgid in _entries(catalogue, flag)]
                for flag in ("--untranslated", "--only-fuzzy")}
    assert problems == {"--untranslated": [], "--only-fuzzy": []}


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed (.ci/run installs it)")
def test_every_text_of_a_notice_and_of_the_pages_people_read_has_its_german(tmp_path: Path):
    catalogue = _makemessages(tmp_path, "de")
    problems = {flag: [msgid for references, msgid in _entries(catalogue, flag)
                       if any(source in references for source in NOTICE_SOURCES)]
                for flag in ("--untranslated", "--only-fuzzy")}
    assert problems == {"--untranslated": [], "--only-fuzzy": []}
