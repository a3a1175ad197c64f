"""The rules engine: breach-notification law as dated, cited data, and a pure planner.

Public API (no Django, no database)::

    from incidents.rules import facts_from_json, plan, plan_to_json, load_rules
    facts = facts_from_json(json.loads(text))    # raises FactsError(field, message)
    result = plan(facts)                          # Plan(obligations, not_required, warnings, risk)
    data = plan_to_json(result)                   # {"obligations": [...], "not_required": [...], "warnings": [...]}

The ENISA severity arithmetic the planner weighs duties by is ``incidents.rules.risk``.
"""

from __future__ import annotations

from incidents.rules.engine import NotRequired, Obligation, Plan, plan, plan_to_json
from incidents.rules.facts import Facts, FactsError, facts_from_json
from incidents.rules.jurisdictions import is_known_jurisdiction
from incidents.rules.loader import RuleSet, load_rule_file, load_rules, load_rules_from
from incidents.rules.schema import AUDIENCES, CLOCK_STARTS, CONTENT_ELEMENTS, Rule, RuleFileError

__all__ = [
    "AUDIENCES", "CLOCK_STARTS", "CONTENT_ELEMENTS", "Facts", "FactsError", "NotRequired", "Obligation", "Plan",
    "Rule", "RuleFileError", "RuleSet", "facts_from_json", "is_known_jurisdiction", "load_rule_file", "load_rules",
    "load_rules_from", "plan", "plan_to_json",
]
