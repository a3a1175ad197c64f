"""Reads, validates and caches the rule files in this directory."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from incidents.rules.schema import Rule, RuleFileError, rule_from_toml

# The shipped rule files sit beside this module; BREACHLINE_RULES_DIR names another directory
# (the tests point it at a broken copy to see start-up refused).
RULES_DIR = Path(os.environ.get("BREACHLINE_RULES_DIR") or Path(__file__).resolve().parent)


@dataclass(frozen=True)
class RuleSet:
    """Every rule file, by code, with the regimes an organisation may declare."""

    rules: tuple[Rule, ...]

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, code: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.code == code), None)

    @property
    def regimes(self) -> frozenset[str]:
        """Regime codes the planner's ``regimes`` key may contain."""
        found = {rule.regime for rule in self.rules if rule.regime}
        for rule in self.rules:
            for duty in rule.duties:
                found.update(duty.when_regimes)
                found.update(duty.unless_regimes)
        return frozenset(found)

    def covering(self, residence_code: str) -> list[str]:
        """Return the codes of the residence rules that count people living in ``residence_code``."""
        return self._covering.get(residence_code, [])

    @cached_property
    def _covering(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for rule in self.rules:
            for code in rule.residence:
                found.setdefault(code, []).append(rule.code)
        return found


def load_rule_file(path: str | Path) -> Rule:
    """Parse and validate one rule file; raise RuleFileError naming the file and the field."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise RuleFileError(path, "(syntax)", str(error)) from error
    return rule_from_toml(data, path)


def load_rules_from(directory: str | Path) -> RuleSet:
    """Load every ``*.toml`` in ``directory``, in name order; rule codes must be unique."""
    rules: list[Rule] = []
    for path in sorted(Path(directory).glob("*.toml")):
        rule = load_rule_file(path)
        clash = next((other for other in rules if other.code == rule.code), None)
        if clash:
            raise RuleFileError(path, "code", f"{rule.code!r} is also the code of {Path(clash.path).name}")
        rules.append(rule)
    return RuleSet(rules=tuple(rules))


@cache
def load_rules() -> RuleSet:
    """Return the rule set of ``RULES_DIR``, loaded once per process; raise RuleFileError for a broken file.

    The system check ``incidents.E001`` calls it at start-up, so a broken file stops ``check``,
    ``runserver``, ``migrate`` and the worker rather than the first request that plans.
    """
    return load_rules_from(RULES_DIR)
