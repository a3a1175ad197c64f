"""A broken rule file stops start-up (system check incidents.E001), naming the file and the dotted field."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from incidents.checks import rule_files_check
from incidents.rules.loader import RULES_DIR

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
BROKEN_UNIT = "must be one of after_calendar_year, business_days, calendar_days, hours, none, got 'fortnights'"


@pytest.fixture
def broken_rules(tmp_path) -> Path:
    """A copy of the shipped rule files in which Singapore's PDPC deadline has a unit that does not exist."""
    rules = tmp_path / "rules"
    rules.mkdir()
    for path in RULES_DIR.glob("*.toml"):
        shutil.copy(path, rules / path.name)
    singapore = rules / "sg.toml"
    text = singapore.read_text(encoding="utf-8")
    assert 'deadline = { unit = "calendar_days", amount = 3 }' in text
    singapore.write_text(text.replace('unit = "calendar_days", amount = 3', 'unit = "fortnights", amount = 3', 1))
    return rules


def _run(command: list[str], rules: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBUG": "1", "BREACHLINE_RULES_DIR": str(rules), "BREACHLINE_VAR_DIR": str(tmp_path / "var"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'start-up.sqlite3'}", "CELERY_BROKER_URL": "filesystem://"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_shipped_rule_files_pass_the_start_up_check():
    assert rule_files_check() == []


def test_manage_py_check_fails_on_a_broken_rule_file_naming_the_file_and_the_dotted_field(broken_rules, tmp_path):
    result = _run([sys.executable, "manage.py", "check"], broken_rules, tmp_path)

    assert result.returncode != 0
    assert f"(incidents.E001) Rule file {broken_rules / 'sg.toml'}: duties[0].deadline.unit: {BROKEN_UNIT}" in result.stderr


def test_migrate_refuses_to_run_with_a_broken_rule_file(broken_rules, tmp_path):
    result = _run([sys.executable, "manage.py", "migrate", "--noinput"], broken_rules, tmp_path)

    assert result.returncode != 0
    assert "sg.toml: duties[0].deadline.unit" in result.stderr
    assert "Applying" not in result.stdout


def test_the_worker_refuses_to_start_with_a_broken_rule_file(broken_rules, tmp_path):
    result = _run([CELERY, "-A", "config", "worker", "--concurrency=1", "--loglevel=WARNING"], broken_rules, tmp_path)

    assert result.returncode != 0
    assert "The worker refuses to start" in result.stderr
    assert "(incidents.E001)" in result.stderr and "sg.toml: duties[0].deadline.unit" in result.stderr
