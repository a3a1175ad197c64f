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


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed (.ci/run installs it)")
def test_makemessages_finds_no_untranslated_or_fuzzy_entry_in_zh_hans(tmp_path: Path):
    # Run makemessages on a copy, so the catalogue in the repository is only read.
    for name in SOURCES:
        source = settings.BASE_DIR / name
        target = tmp_path / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(source, target)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--verbosity", "0"],
        cwd=tmp_path, check=True, env={**os.environ, "DEBUG": "1"},
    )
    catalogue = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    problems = {}
    for flag in ("--untranslated", "--only-fuzzy"):
        found = subprocess.run(["msgattrib", flag, "--no-wrap", str(catalogue)], capture_output=True, text=True,
                               check=True).stdout
        problems[flag] = [line[len("msgid "):] for line in found.splitlines()
                          if line.startswith("msgid ") and line != 'msgid ""']
    assert problems == {"--untranslated": [], "--only-fuzzy": []}
