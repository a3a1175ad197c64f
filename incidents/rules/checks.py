"""The steps that decide whether one duty applies, each returning a ``Check`` for the trace. Pure.

Gates (role, regimes, an earlier duty, safe harbours) rule a duty out for the whole
rule; tests (head-count threshold, risk, covered data, malicious intent) are evaluated
per target (per residence when a duty fans out) and combined by the duty's ``match``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from incidents.rules import risk as risk_method
from incidents.rules.facts import Facts
from incidents.rules.schema import Definition, Duty, Rule, SafeHarbour

PASSED, FAILED = "passed", "failed"
APPLIES, DOES_NOT_APPLY = "applies", "does_not_apply"
HARBOUR_LABELS = {"encryption": "encryption", "redaction": "redaction", "no_risk_of_harm": "no risk of harm"}


@dataclass(frozen=True)
class Check:
    """One evaluated step: what was checked, its outcome and the sentence a lawyer reads.

    ``reason_code`` is the not_required code this step gives when it rules the duty out;
    ``matched`` holds the facts it matched (for the trace); ``extra`` cites what it used
    (definition clause and dates, harbour id and kind).
    """

    step: str
    outcome: str
    detail: str
    reason_code: str = ""
    matched: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rules_out(self) -> bool:
        return self.outcome in (FAILED, APPLIES)

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step, "outcome": self.outcome, "detail": self.detail, **self.extra}


class _Dated(Protocol):
    @property
    def effective_from(self) -> date | None: ...

    @property
    def effective_to(self) -> date | None: ...


def period(rule: Rule, item: _Dated) -> tuple[date, date | None]:
    """Return the first and last day (None: open end) an effective-dated item of ``rule`` is in force."""
    start = max(rule.effective_from, item.effective_from or date.min)
    ends = [end for end in (rule.effective_to, item.effective_to) if end]
    return start, min(ends) if ends else None


def in_force(rule: Rule, item: _Dated, day: date) -> bool:
    start, end = period(rule, item)
    return start <= day <= (end or date.max)


def describe_period(rule: Rule, item: _Dated) -> str:
    start, end = period(rule, item)
    return f"{start} to {end or 'open end'}"


def gates(rule: Rule, duty: Duty, facts: Facts, applied: dict[str, bool]) -> list[Check]:
    """Return the gate checks in order, stopping after the first that rules the duty out."""
    steps = [_role, _regimes, _after_duty, _harbours]
    checks: list[Check] = []
    for step in steps:
        for check in step(rule, duty, facts, applied):
            checks.append(check)
            if check.rules_out:
                return checks
    return checks


def _role(rule: Rule, duty: Duty, facts: Facts, applied: dict[str, bool]) -> list[Check]:
    binds = " or ".join(duty.roles)
    if facts.role in duty.roles:
        return [Check("role", PASSED, f"{duty.clause} binds the {binds}; the organisation acts as {facts.role}.",
                      matched={"role": facts.role})]
    return [Check("role", FAILED, f"{duty.clause} binds the {binds}; the organisation acts as {facts.role}.",
                  reason_code="role")]


def _regimes(rule: Rule, duty: Duty, facts: Facts, applied: dict[str, bool]) -> list[Check]:
    if not duty.when_regimes and not duty.unless_regimes:
        return []
    missing = [regime for regime in duty.when_regimes if regime not in facts.regimes]
    if missing:
        return [Check("regime", FAILED, f"{duty.clause} applies only under {', '.join(missing)}, which the facts "
                      "do not declare.", reason_code="regime")]
    present = [regime for regime in duty.unless_regimes if regime in facts.regimes]
    if present:
        return [Check("regime", FAILED, f"{duty.clause} is replaced by another duty under {', '.join(present)}.",
                      reason_code="regime")]
    declared = [regime for regime in duty.when_regimes if regime in facts.regimes]
    return [Check("regime", PASSED, "Declared regimes fit: " + (", ".join(declared) or "no replacing regime") + ".",
                  matched={"regimes": declared} if declared else {})]


def _after_duty(rule: Rule, duty: Duty, facts: Facts, applied: dict[str, bool]) -> list[Check]:
    if not duty.after_duty:
        return []
    if applied.get(duty.after_duty):
        return [Check("after_duty", PASSED, f"{duty.clause} follows the '{duty.after_duty}' duty, which applies.")]
    return [Check("after_duty", FAILED, f"{duty.clause} follows the '{duty.after_duty}' duty, which does not apply.",
                  reason_code="follows_other_duty")]


def _harbours(rule: Rule, duty: Duty, facts: Facts, applied: dict[str, bool]) -> list[Check]:
    return [harbour_check(rule.safe_harbours[harbour_id], facts) for harbour_id in duty.safe_harbours]


def harbour_check(harbour: SafeHarbour, facts: Facts) -> Check:
    """Return whether one safe harbour lifts the duty on these facts (``applies``) or not."""
    holds, sentence, matched = _harbour_holds(harbour, facts)
    label = HARBOUR_LABELS[harbour.kind]
    extra = {"id": harbour.id, "kind": harbour.kind, "clause": harbour.clause, "status": harbour.status}
    detail = f"{harbour.clause}: {sentence} ({label} safe harbour)."
    if holds and harbour.conditions:
        detail += f" Conditions: {harbour.conditions}"
    return Check("safe_harbour", APPLIES if holds else DOES_NOT_APPLY, detail,
                 reason_code="safe_harbour" if holds else "", matched=matched if holds else {}, extra=extra)


def _harbour_holds(harbour: SafeHarbour, facts: Facts) -> tuple[bool, str, dict[str, Any]]:
    if harbour.kind == "encryption":
        if not facts.encrypted:
            return False, "the data were not encrypted", {}
        if facts.key_compromised and harbour.key_exception:
            return False, "the data were encrypted, but the key or credential was also acquired", {}
        if facts.key_compromised:
            return True, "the data were encrypted; this law makes no exception for a compromised key", {
                "encrypted": True, "key_compromised": True}
        return True, "the data were encrypted and the key is not known to be compromised", {
            "encrypted": True, "key_compromised": False}
    if harbour.kind == "redaction":
        if facts.redacted:
            return True, "the data were redacted or truncated", {"redacted": True}
        return False, "the data were not redacted", {}
    determination = facts.no_harm_determination
    if determination is None:
        return False, "no determination that harm is not reasonably likely has been recorded", {}
    at = determination.at.isoformat()
    return True, f"{determination.by} determined on {at} that harm is not reasonably likely: {determination.reason}", {
        "no_harm_determination": {"by": determination.by, "at": at, "reason": determination.reason}}


def threshold_check(duty: Duty, count: int, place: str) -> Check:
    assert duty.threshold is not None
    passed = duty.threshold.holds(count)
    return Check("threshold", PASSED if passed else FAILED,
                 f"{count:,} affected in {place}; the threshold is {duty.threshold.describe()}",
                 reason_code="below_threshold", matched={"affected_count": count} if passed else {},
                 extra={"op": duty.threshold.op, "count": duty.threshold.count, "affected_count": count})


def risk_check(duty: Duty, level: str, source: str) -> Check:
    assert duty.min_risk is not None
    passed = risk_method.LEVEL_RANK[level] >= risk_method.LEVEL_RANK[duty.min_risk]
    return Check("risk", PASSED if passed else FAILED, (
        f"risk {level.replace('_', ' ')} ({source}) reads as '{risk_method.LEGAL_READING[level]}'; "
        f"the law's test is '{duty.risk_wording}'"
    ), reason_code="risk_too_low", matched={"risk": level} if passed else {},
        extra={"level": level, "source": source, "min_risk": duty.min_risk})


def malicious_check(facts: Facts) -> Check:
    if facts.malicious:
        return Check("malicious", PASSED, "the assessment says the breach was malicious (an unlawful purpose is "
                     "suspected)", matched={"malicious": True})
    return Check("malicious", FAILED, "the assessment does not say the breach was malicious",
                 reason_code="not_malicious")


def categories_check(duty: Duty, present: set[str]) -> Check:
    hit = next((combo for combo in duty.categories if combo <= present), None)
    if hit:
        return Check("categories", PASSED, f"data categories include {' + '.join(sorted(hit))}",
                     matched={"data_categories": sorted(hit)})
    needs = "; ".join(" + ".join(sorted(combo)) for combo in duty.categories)
    return Check("categories", FAILED, f"no covered combination of data categories is involved (needs one of: {needs})",
                 reason_code="categories_not_covered")


def definition_check(rule: Rule, duty: Duty, present: set[str], day: date) -> Check:
    """Return whether the data are covered by the version of the duty's definition in force on ``day``."""
    assert duty.covered_data is not None
    versions = rule.definition_versions(duty.covered_data)
    version = next((item for item in versions if in_force(rule, item, day)), None)
    if version is None:
        periods = ", ".join(describe_period(rule, item) for item in versions)
        return Check("definition", FAILED, (
            f"no version of the definition '{duty.covered_data}' is in force on {day} (in force {periods})"
        ), reason_code="categories_not_covered", extra={"id": duty.covered_data})
    return _definition_version_check(rule, version, present, day)


def _definition_version_check(rule: Rule, version: Definition, present: set[str], day: date) -> Check:
    start, end = period(rule, version)
    extra = {"id": version.id, "clause": version.clause, "effective_from": str(start),
             "effective_to": str(end) if end else None, "status": version.status}
    in_force_words = f"{version.clause}, version in force on {day} ({describe_period(rule, version)})"
    hit = next((combo for combo in version.combinations if combo <= present), None)
    if hit:
        return Check("definition", PASSED, f"data categories include {' + '.join(sorted(hit))}, covered by "
                     f"{in_force_words}", matched={"data_categories": sorted(hit)}, extra=extra)
    needs = "; ".join(" + ".join(sorted(combo)) for combo in version.combinations)
    return Check("definition", FAILED, f"the data are not covered data under {in_force_words} (needs one of: {needs})",
                 reason_code="categories_not_covered", extra=extra)
