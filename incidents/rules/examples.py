"""Runs the example cases a rule file carries (facts -> expected obligations).

Each expected entry is matched against the planner's JSON output by equality on the
keys it gives; the string "null" matches a JSON null. ``expect`` is exhaustive: every
obligation the rule produces must match exactly one entry. ``expect_not`` entries must
each match a ``not_required`` entry; ``expect_warnings`` lists warning codes that must
appear.
"""

from __future__ import annotations

from typing import Any

from incidents.rules.engine import facts_from_json, plan, plan_to_json
from incidents.rules.loader import RuleSet
from incidents.rules.schema import Example, Rule


def _matches(entry: dict[str, Any], expected: dict[str, Any]) -> bool:
    for key, value in expected.items():
        actual = entry.get(key)
        if value == "null" and actual is None:
            continue
        if actual != value:
            return False
    return True


def _unmatched(entries: list[dict[str, Any]], expectations: tuple[dict[str, Any], ...]) -> list[str]:
    remaining = list(entries)
    problems = []
    for expected in expectations:
        found = next((entry for entry in remaining if _matches(entry, expected)), None)
        if found is None:
            problems.append(f"expected {expected}, not found")
        else:
            remaining.remove(found)
    return problems + [f"unexpected {entry['rule_code']} {entry.get('residence') or ''}" for entry in remaining]


def example_failures(rule: Rule, example: Example, regimes: frozenset[str]) -> list[str]:
    """Return what differs between the example's expectations and the plan; empty when it passes."""
    facts = facts_from_json(example.facts, regimes=regimes)
    output = plan_to_json(plan(facts, RuleSet(rules=(rule,))))
    problems = _unmatched(output["obligations"], example.expect)
    problems += [
        f"expected not_required {expected}, not found"
        for expected in example.expect_not
        if not any(_matches(entry, expected) for entry in output["not_required"])
    ]
    codes = {warning["code"] for warning in output["warnings"]}
    problems += [f"expected warning {code!r}" for code in example.expect_warnings if code not in codes]
    return [f"{rule.code} example '{example.name}': {problem}" for problem in problems]


def rule_set_failures(rules: RuleSet) -> list[str]:
    """Return every failing expectation across every example of every rule."""
    return [
        failure for rule in rules for example in rule.examples
        for failure in example_failures(rule, example, rules.regimes)
    ]
