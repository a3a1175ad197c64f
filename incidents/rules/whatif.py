"""What would change the decision: the plan re-run with one fact changed at a time. Pure.

Variants, each a copy of the facts with one change:

1. encryption: the key compromised (or, when it was, kept safe; unencrypted data: encrypted, key safe);
2. head-counts: for every threshold of an engaged duty, the count moved one person across its boundary
   (500 -> 501 for "more than 500", 250 -> 249 for "250 or more");
3. risk one band up and one band down from the level the plan used;
4. awareness a day later (the clocks and the versions in force move with it);
5. each data category removed, and each category not involved added.

Each variant is planned with only the rules it can change (a rule's outcome depends only on the
facts and that rule), and the duties that appear or disappear are listed. Variants that change
nothing are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from incidents.rules import categories
from incidents.rules import risk as risk_method
from incidents.rules.engine import NotRequired, Obligation, Plan, plan, rule_engaged
from incidents.rules.facts import Facts
from incidents.rules.loader import RuleSet
from incidents.rules.schema import Rule, Threshold


@dataclass(frozen=True)
class Variant:
    """One changed fact: a code, the sentence saying what changed, the new facts, the rules it can change."""

    change: str
    description: str
    changed: dict[str, Any]
    facts: Facts
    rules: tuple[Rule, ...]
    subject: dict[str, Any] = field(default_factory=dict)


def _key(entry: Obligation | NotRequired) -> tuple[str, str, str]:
    return entry.rule_code, entry.residence or "", entry.authority


def _duty_json(entry: Obligation | NotRequired, why: NotRequired | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"rule_code": entry.rule_code, "jurisdiction": entry.jurisdiction,
                            "audience": entry.audience, "authority": entry.authority, "residence": entry.residence}
    if isinstance(entry, Obligation):
        data["due_at"] = entry.due_at.isoformat().replace("+00:00", "Z") if entry.due_at else None
    if why is not None:
        data["reason_code"], data["reason"] = why.reason_code, why.reason
    return data


def _touches(rule: Rule, test) -> bool:
    return any(test(duty) for duty in rule.duties)


def _encryption_variant(facts: Facts, engaged: list[Rule]) -> list[Variant]:
    rules = tuple(rule for rule in engaged if _touches(rule, lambda duty: bool(duty.safe_harbours)))
    if facts.encrypted and not facts.key_compromised:
        change = ("key_compromised", "If the encryption key was also compromised", {"key_compromised": True})
    elif facts.encrypted:
        change = ("key_safe", "If the encryption key was not compromised", {"key_compromised": False})
    else:
        change = ("encrypted", "If the data were encrypted and the key safe",
                  {"encrypted": True, "key_compromised": False})
    code, description, changed = change
    varied = replace(facts, encrypted=changed.get("encrypted", facts.encrypted),
                     key_compromised=changed.get("key_compromised", facts.key_compromised))
    return [Variant(code, description, changed, varied, rules)]


def _boundary_counts(threshold: Threshold) -> tuple[int, int]:
    """Return the two adjacent head-counts on either side of the threshold's boundary (lower, upper)."""
    if threshold.op in (">", "<="):
        return threshold.count, threshold.count + 1
    return threshold.count - 1, threshold.count


def _threshold_variants(facts: Facts, engaged: list[Rule]) -> list[Variant]:
    found: dict[tuple[str, int], Variant] = {}
    for rule in engaged:
        for duty in rule.duties:
            if duty.threshold is None:
                continue
            counted = {code: n for code, n in facts.affected.items() if code in rule.count_in and n > 0}
            groups = [{code: n} for code, n in counted.items()] if duty.fan_out == "residence" else [counted]
            for group in groups:
                if not group:
                    continue
                code = max(group, key=lambda item: (group[item], item))
                total = sum(group.values())
                lower, upper = _boundary_counts(duty.threshold)
                target = upper if total <= lower else lower
                new_count = facts.affected[code] + target - total
                if new_count < 0 or (code, new_count) in found:
                    continue
                affected = {**facts.affected, code: new_count}
                found[(code, new_count)] = Variant(
                    "affected", (
                        f"If {new_count:,} people lived in {code} instead of {facts.affected[code]:,} "
                        f"({rule.code}: {duty.threshold.describe()})"
                    ), {"affected": {code: new_count}}, replace(facts, affected=affected),
                    tuple(other for other in engaged if code in other.count_in or code in other.residence),
                    {"residence": code, "count": new_count, "was": facts.affected[code], "rule": rule.code,
                     "op": duty.threshold.op, "boundary": duty.threshold.count},
                )
    return list(found.values())


def _risk_variants(facts: Facts, level: str, engaged: list[Rule]) -> list[Variant]:
    rules = tuple(rule for rule in engaged if _touches(rule, lambda duty: duty.min_risk is not None))
    rank = risk_method.LEVEL_RANK[level]
    variants = []
    for step, word in ((1, "up"), (-1, "down")):
        if 0 <= rank + step < len(risk_method.LEVELS):
            new = risk_method.LEVELS[rank + step]
            variants.append(Variant(
                f"risk_{word}", f"If the risk were {new.replace('_', ' ')} instead of {level.replace('_', ' ')}",
                {"risk": new}, replace(facts, risk=new), rules, {"level": new, "was": level},
            ))
    return variants


def _aware_variant(facts: Facts, engaged: list[Rule]) -> Variant:
    later = facts.aware_at + timedelta(days=1)
    return Variant("aware_later", "If the organisation had become aware a day later",
                   {"aware_at": later.isoformat()}, replace(facts, aware_at=later), tuple(engaged))


def _level(facts: Facts, data_categories: tuple[str, ...]) -> str | None:
    """Return the risk level an assessment gives with these categories; None when the risk is stated."""
    if facts.risk or facts.assessment is None:
        return None
    return risk_method.severity_assess(data_categories=data_categories, assessment=facts.assessment).level


def _category_variants(facts: Facts, engaged: list[Rule]) -> list[Variant]:
    """Each category removed or added; a rule is re-planned if it names the category, or if it has a risk
    test and the assessed level moves with the category."""
    risk_rules = [rule for rule in engaged if _touches(rule, lambda duty: duty.min_risk is not None)]
    present = facts.data_categories
    level = _level(facts, present)
    variants = []
    for category in categories.CATEGORIES:
        code = category.code
        if code in present:
            new = tuple(item for item in present if item != code)
            change, description = "category_removed", f"If {category.label} were not involved"
        else:
            new = (*present, code)
            change, description = "category_added", f"If {category.label} were also involved"
        rules = [rule for rule in engaged if code in rule.category_codes]
        if _level(facts, new) != level:
            rules += [rule for rule in risk_rules if code not in rule.category_codes]
        if rules:
            variants.append(Variant(change, description, {"data_categories": list(new)},
                                    replace(facts, data_categories=new), tuple(rules), {"category": code}))
    return variants


def variants(facts: Facts, base: Plan, rules: RuleSet) -> list[Variant]:
    """Return every one-fact variant of ``facts`` worth re-planning, each with the rules it can change."""
    engaged = [rule for rule in rules if rule_engaged(rule, facts)]
    return [
        *_encryption_variant(facts, engaged),
        *_threshold_variants(facts, engaged),
        *_risk_variants(facts, base.risk.level, engaged),
        _aware_variant(facts, engaged),
        *_category_variants(facts, engaged),
    ]


def what_if(facts: Facts, base: Plan, rules: RuleSet) -> list[dict[str, Any]]:
    """Return, per variant that changes anything, the duties that appear and those that disappear."""
    results = []
    for variant in variants(facts, base, rules):
        if not variant.rules:
            continue
        codes = {rule.code for rule in variant.rules}
        before = {_key(item): item for item in base.obligations if item.jurisdiction in codes}
        after_plan = plan(variant.facts, RuleSet(rules=variant.rules), traced=False)
        after = {_key(item): item for item in after_plan.obligations}
        why_not = {_key(item): item for item in after_plan.not_required}
        by_rule = {item.rule_code: item for item in after_plan.not_required}
        appear = [_duty_json(after[key]) for key in after if key not in before]
        disappear = [
            _duty_json(before[key], why_not.get(key) or by_rule.get(key[0])) for key in before if key not in after
        ]
        if appear or disappear:
            results.append({"change": variant.change, "description": variant.description, **variant.subject,
                            "facts": variant.changed, "appear": appear, "disappear": disappear})
    return results
