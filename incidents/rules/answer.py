"""The planner's answer to a JSON request, as the command and the API give it. Pure.

The request is the facts (``facts.py``) plus two options: ``explain`` adds each decision's
trace, ``what_if`` adds the duties that appear or disappear when one fact changes.
"""

from __future__ import annotations

from typing import Any, TypedDict

from incidents.rules import whatif
from incidents.rules.engine import plan, plan_to_json
from incidents.rules.facts import Facts, FactsError, facts_from_json
from incidents.rules.loader import RuleSet, load_rules

OPTIONS = ("explain", "what_if")


class Options(TypedDict):
    explain: bool
    what_if: bool


def split_options(data: Any) -> tuple[Any, Options]:
    """Return (the facts, the options) of a request; raise FactsError naming an option that is not a bool."""
    if not isinstance(data, dict):
        return data, Options(explain=False, what_if=False)
    for key in OPTIONS:
        if not isinstance(data.get(key, False), bool):
            raise FactsError(key, f"must be true or false, got {data[key]!r}")
    options = Options(explain=data.get("explain", False), what_if=data.get("what_if", False))
    return {key: value for key, value in data.items() if key not in OPTIONS}, options


def plan_answer(data: Any, *, explain: bool = False, what_if: bool = False,
                rules: RuleSet | None = None) -> dict[str, Any]:
    """Return the plan for the JSON facts ``data`` with the risk used, and the trace and what-if when asked.

    Raises FactsError naming the first bad field.
    """
    rules = rules if rules is not None else load_rules()
    return facts_answer(facts_from_json(data, regimes=rules.regimes), explain=explain, what_if=what_if, rules=rules)


def facts_answer(facts: Facts, *, explain: bool = False, what_if: bool = False,
                 rules: RuleSet | None = None) -> dict[str, Any]:
    """Return the plan for parsed ``facts`` as ``plan_answer`` does."""
    rules = rules if rules is not None else load_rules()
    result = plan(facts, rules)
    answer = plan_to_json(result, with_risk=True, explain=explain)
    if what_if:
        answer["what_if"] = whatif.what_if(facts, result, rules)
    return answer
