"""System checks of the incidents app: found at start-up, not by the first request that needs them."""

from __future__ import annotations

from typing import Any

from django.core import checks

from incidents.rules.loader import RULES_DIR, load_rules
from incidents.rules.schema import RuleFileError


def rule_files_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """incidents.E001: every rule file loads and matches the schema; the error names the file and the
    dotted field (``manage.py check``, ``runserver``, ``migrate`` and the worker refuse to start)."""
    try:
        load_rules()
    except RuleFileError as error:
        return [checks.Error(
            f"Rule file {error.path}: {error.field_path}: {error.message}",
            hint=f"Fix the file (format: incidents/rules/SCHEMA.md) or remove it from {RULES_DIR}.",
            id="incidents.E001",
        )]
    return []
