"""The rules engine: breach-notification law as dated, cited data, and a pure planner.

Public API (no Django, no database)::

    from incidents.rules import facts_from_json, plan, plan_to_json, load_rules
    facts = facts_from_json(json.loads(text))    # raises FactsError(field, message)
    result = plan(facts)                          # Plan(obligations, not_required, warnings, risk)
    data = plan_to_json(result)                   # {"obligations": [...], "not_required": [...], "warnings": [...]}

Names are imported lazily so that ``incidents.rules.categories`` (used by the risk
method, which the engine uses) can be imported without loading the engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "Facts": "incidents.rules.facts",
    "FactsError": "incidents.rules.facts",
    "facts_from_json": "incidents.rules.facts",
    "Plan": "incidents.rules.engine",
    "Obligation": "incidents.rules.engine",
    "NotRequired": "incidents.rules.engine",
    "plan": "incidents.rules.engine",
    "plan_to_json": "incidents.rules.engine",
    "RuleSet": "incidents.rules.loader",
    "load_rules": "incidents.rules.loader",
    "load_rules_from": "incidents.rules.loader",
    "load_rule_file": "incidents.rules.loader",
    "Rule": "incidents.rules.schema",
    "RuleFileError": "incidents.rules.schema",
    "CONTENT_ELEMENTS": "incidents.rules.schema",
    "AUDIENCES": "incidents.rules.schema",
    "CLOCK_STARTS": "incidents.rules.schema",
    "is_known_jurisdiction": "incidents.rules.jurisdictions",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'incidents.rules' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
