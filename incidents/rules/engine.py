"""Facts in, plan out: which notices the law requires, to whom, and by when. Pure.

``plan(facts)`` evaluates every rule file engaged by the facts (people living where
the rule applies, or a regime the organisation declared). For each duty it:

1. picks the version in force on the day its clock started (in the rule's zone);
2. checks the gates: role, regimes, an earlier duty it follows, its safe harbours;
3. checks the tests: head-count threshold, risk level, malicious intent, data-category
   combinations or the statute's definition of covered data (the version in force on
   the clock-start day);
4. computes the deadline from the clock-start fact (see ``clock``).

A duty that applies becomes an ``Obligation``; one that does not becomes a
``NotRequired`` entry saying which fact and which clause decided it. Both carry a
``trace``: the rule and version, the clause, the facts matched and every step
evaluated with its outcome (``checks``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from incidents.rules import checks
from incidents.rules import risk as risk_method
from incidents.rules.checks import Check
from incidents.rules.clock import HolidayCalendar, compute_due
from incidents.rules.facts import AFTER_AWARENESS, Facts, FactsError, facts_from_json
from incidents.rules.loader import RuleSet, load_rules
from incidents.rules.schema import Authority, Deadline, Duty, Rule

__all__ = [
    "Facts", "FactsError", "NotRequired", "Obligation", "Plan", "facts_from_json", "plan", "plan_to_json",
    "rule_engaged",
]

CLOCK_FIELDS = {
    "aware": "aware_at", "occurred": "occurred_at", "determined": "determined_at", "assessed": "assessed_at",
    "materiality_determined": "materiality_determined_at", "individual_notice_sent": "individual_notice_sent_at",
    "handling_closed": "handling_closed_at",
}
# Facts that default to the awareness time: the earliest plausible instant, so the
# deadline can only be early, never late.
DEFAULTS_TO_AWARE = ("occurred", "determined", "assessed")


@dataclass(frozen=True)
class Obligation:
    jurisdiction: str
    audience: str
    authority: str
    clock_start: str
    clock_started_at: datetime | None
    due_at: datetime | None
    timing: str
    basis: str
    status: str
    content: list[str]
    reason: str
    rule_code: str
    clause: str
    law: str
    portal: str = ""
    address: str = ""
    language: str = ""
    authority_status: str = ""
    channels: list[str] = field(default_factory=list)
    substitute_notice: str = ""
    law_enforcement_delay_allowed: bool = False
    unconfirmed: bool = False
    deadline: dict[str, Any] = field(default_factory=dict)
    residence: str | None = None
    affected_count: int = 0
    note: str = ""
    trace: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class NotRequired:
    jurisdiction: str
    audience: str
    authority: str
    reason_code: str
    reason: str
    basis: str
    rule_code: str
    status: str
    residence: str | None = None
    trace: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Warning:
    code: str
    message: str
    jurisdiction: str | None = None


@dataclass(frozen=True)
class RiskBasis:
    level: str
    source: str
    severity: dict[str, Any] | None = None


@dataclass
class Plan:
    obligations: list[Obligation]
    not_required: list[NotRequired]
    warnings: list[Warning]
    risk: RiskBasis


@dataclass
class _Context:
    facts: Facts
    risk: RiskBasis
    warnings: list[Warning] = field(default_factory=list)
    risk_used: bool = False
    traced: bool = True
    seen: set[Warning] = field(default_factory=set)

    def warn(self, code: str, message: str, jurisdiction: str | None = None) -> None:
        warning = Warning(code=code, message=message, jurisdiction=jurisdiction)
        if warning not in self.seen:
            self.seen.add(warning)
            self.warnings.append(warning)

    def clock(self, clock_start: str) -> datetime | None:
        moment = getattr(self.facts, CLOCK_FIELDS[clock_start])
        if moment is None and clock_start in DEFAULTS_TO_AWARE:
            return self.facts.aware_at
        if moment is not None and moment < self.facts.aware_at and CLOCK_FIELDS[clock_start] in AFTER_AWARENESS:
            self.warn("clock_before_awareness", f"{CLOCK_FIELDS[clock_start]} is earlier than aware_at: counted "
                      "from aware_at, since it can only come once the organisation is aware.")
            return self.facts.aware_at
        return moment


@dataclass(frozen=True)
class _Target:
    residence: str | None
    count: int
    authority: Authority
    why: str = ""


def _risk_basis(facts: Facts) -> tuple[RiskBasis, list[Warning]]:
    if facts.risk:
        return RiskBasis(level=facts.risk, source="stated"), []
    if facts.assessment is not None:
        severity = risk_method.severity_assess(data_categories=facts.data_categories, assessment=facts.assessment)
        return RiskBasis(level=severity.level, source="assessment", severity=severity.as_dict()), []
    warning = Warning(
        code="risk_assumed",
        message="No risk level and no assessment given: risk assumed high, so every risk-based duty applies.",
    )
    return RiskBasis(level="high", source="assumed"), [warning]


def _basis(rule: Rule, duty: Duty) -> str:
    return f"{rule.law}, {duty.clause}"


def _clock_day(rule: Rule, duty: Duty, ctx: _Context) -> date:
    """Return the duty's clock-start day in the rule's zone (awareness while its clock has not started)."""
    start = ctx.clock(duty.clock_start) or ctx.facts.aware_at
    return start.astimezone(rule.time_zone).date()


def _version(rule: Rule, versions: list[Duty], ctx: _Context) -> tuple[Duty | None, Check]:
    """Return the version in force on its clock-start day (or None) and the check saying so."""
    for duty in versions:
        day = _clock_day(rule, duty, ctx)
        if checks.in_force(rule, duty, day):
            return duty, Check("version", checks.PASSED, (
                f"version in force {checks.describe_period(rule, duty)}; the clock-start day is {day} "
                f"in {rule.time_zone.key}"
            ))
    day = _clock_day(rule, versions[0], ctx)
    periods = ", ".join(checks.describe_period(rule, duty) for duty in versions)
    return None, Check("version", checks.FAILED, (
        f"Not in force on {day} (the clock-start day in {rule.time_zone.key}); in force {periods}."
    ), reason_code="not_in_force")


def _trace(rule: Rule, duty: Duty, steps: list[Check], outcome: str, ctx: _Context,
           target: _Target | None = None) -> dict[str, Any]:
    """Return the decision's trace: rule and version, clause, the facts matched, every step evaluated."""
    if not ctx.traced:
        return {}
    start, end = checks.period(rule, duty)
    matched: dict[str, Any] = {}
    for step in steps:
        if not step.rules_out or step.outcome == checks.APPLIES:
            matched.update(step.matched)
    if target is not None and target.residence:
        matched["residence"] = target.residence
    return {
        "rule_code": f"{rule.code}:{duty.id}", "rule": rule.code, "duty": duty.id,
        "version": {"effective_from": str(start), "effective_to": str(end) if end else None,
                    "status": duty.status, "last_verified": str(rule.last_verified)},
        "clause": duty.clause, "law": rule.law, "match": duty.match, "outcome": outcome, "facts": matched,
        "steps": [step.as_dict() for step in steps],
    }


def _not_required(rule: Rule, duty: Duty, code: str, reason: str, steps: list[Check], ctx: _Context,
                  target: _Target | None = None) -> NotRequired:
    authority = target.authority if target else rule.authorities[duty.authority]
    return NotRequired(
        jurisdiction=rule.code, audience=duty.audience, authority=_authority_name(authority, target),
        reason_code=code, reason=reason, basis=_basis(rule, duty), rule_code=f"{rule.code}:{duty.id}",
        status=duty.status, residence=target.residence if target else None,
        trace=_trace(rule, duty, steps, "not_required", ctx, target),
    )


def _authority_name(authority: Authority, target: _Target | None) -> str:
    return authority.name.replace("{residence}", target.residence or "") if target else authority.name


def _tests(rule: Rule, duty: Duty, target: _Target, ctx: _Context) -> list[Check]:
    """Return the substantive tests the duty sets, in the order their failures are reported."""
    results = []
    if duty.threshold:
        results.append(checks.threshold_check(duty, target.count, target.residence or "the jurisdiction"))
    if duty.min_risk:
        ctx.risk_used = True
        results.append(checks.risk_check(duty, ctx.risk.level, ctx.risk.source))
    if duty.when_malicious:
        results.append(checks.malicious_check(ctx.facts))
    present = set(ctx.facts.data_categories)
    if duty.categories:
        results.append(checks.categories_check(duty, present))
    if duty.covered_data:
        results.append(checks.definition_check(rule, duty, present, _clock_day(rule, duty, ctx)))
    return results


def _targets(rule: Rule, duty: Duty, facts: Facts) -> list[_Target]:
    default = rule.authorities[duty.authority]
    counts = {code: count for code, count in facts.affected.items() if code in rule.count_in and count > 0}
    if duty.fan_out == "residence_unless_established" and facts.eu_main_establishment in rule.residence:
        establishment = facts.eu_main_establishment
        authority = rule.authorities.get(establishment, default)
        return [_Target(None, sum(counts.values()), authority, f"lead authority: main establishment in {establishment}")]
    if duty.fan_out == "none":
        return [_Target(None, sum(counts.values()), default)]
    why = "no main establishment in the jurisdiction: the authority where the people live"
    return [
        _Target(code, count, rule.authorities.get(code, default), why) for code, count in sorted(counts.items())
    ]


def _deadline(duty: Duty, ctx: _Context) -> tuple[Deadline, Check | None]:
    """Return the deadline the facts call for, and the step saying why when it is not the usual one.

    A suspected unlawful purpose can lengthen the time (JP Enforcement Rules Art. 8(2): 60 days
    instead of 30 for the final report in the Art. 7(iii) case).
    """
    if duty.malicious_deadline is None or not ctx.facts.malicious:
        return duty.deadline, None
    deadline = duty.malicious_deadline
    return deadline, Check("deadline", checks.PASSED, (
        f"{deadline.clause}; the assessment says the breach was malicious, so the clock runs "
        f"{deadline.amount} {deadline.unit.replace('_', ' ')} instead of {duty.deadline.amount}"
    ), matched={"malicious": True}, extra={"clause": deadline.clause})


def _due(rule: Rule, duty: Duty, deadline: Deadline, ctx: _Context) -> tuple[datetime | None, datetime | None, str]:
    """Return (clock started at, due at, note) for a duty that applies."""
    start = ctx.clock(duty.clock_start)
    field_name = CLOCK_FIELDS[duty.clock_start]
    if start is None:
        ctx.warn("clock_not_started", f"{rule.code} {duty.audience}: the clock starts at {field_name}, "
                 "which is not given; no due time yet.", rule.code)
        return None, None, f"Clock not started: {field_name} not given."
    note = ""
    if duty.clock_start == "assessed" and ctx.facts.assessed_at is None:
        note = "assessed_at not given: counted from aware_at (the earliest possible date)."
        ctx.warn("clock_defaulted", f"{rule.code}: {note}", rule.code)
    if deadline.unit == "none":
        return start, None, note
    calendar = None
    if rule.calendar:
        calendar = HolidayCalendar(rule.calendar.holidays, rule.calendar.categories,
                                   rule.calendar.uncertain_categories)
    due = compute_due(start, unit=deadline.unit, amount=deadline.amount or 0,
                      zone=rule.time_zone, calendar=calendar)
    for day, name in due.uncertain_days:
        ctx.warn("uncertain_business_day", (
            f"{rule.code} {duty.audience}: {day} ({name}) counted as a business day, giving the earliest "
            "deadline; whether the authority counts it is unconfirmed."
        ), rule.code)
    return start, due.due_at, note


def _obligation(rule: Rule, duty: Duty, target: _Target, reasons: list[str], steps: list[Check],
                ctx: _Context) -> Obligation:
    deadline, deadline_step = _deadline(duty, ctx)
    started_at, due_at, note = _due(rule, duty, deadline, ctx)
    if deadline_step is not None:
        steps = [*steps, deadline_step]
        reasons = [*reasons, deadline_step.detail]
    authority = target.authority
    return Obligation(
        jurisdiction=rule.code, audience=duty.audience, authority=_authority_name(authority, target),
        clock_start=duty.clock_start, clock_started_at=started_at, due_at=due_at, timing=duty.timing,
        basis=_basis(rule, duty), status=duty.status, content=list(duty.content),
        reason="; ".join([duty.clause, *reasons, *([target.why] if target.why else [])]) + ".",
        rule_code=f"{rule.code}:{duty.id}", clause=duty.clause, law=rule.law, portal=authority.portal,
        address=authority.address, language=authority.language, authority_status=authority.status,
        channels=list(duty.channels), substitute_notice=duty.substitute_notice,
        law_enforcement_delay_allowed=duty.law_enforcement_delay, unconfirmed=duty.status != "confirmed",
        deadline={"unit": deadline.unit, "amount": deadline.amount}, residence=target.residence,
        affected_count=target.count, note=" ".join(part for part in (duty.note, note) if part),
        trace=_trace(rule, duty, steps, "required", ctx, target),
    )


def _evaluate_target(rule: Rule, duty: Duty, target: _Target, gate_steps: list[Check],
                     ctx: _Context) -> Obligation | NotRequired:
    tests = _tests(rule, duty, target, ctx)
    steps = gate_steps + tests
    if target.why:
        steps.append(Check("authority", checks.PASSED, f"{target.why}: {_authority_name(target.authority, target)}"))
    passed = [test.detail for test in tests if test.outcome == checks.PASSED]
    failed = [test for test in tests if test.outcome == checks.FAILED]
    applies = not failed if duty.match == "all" else (not tests or bool(passed))
    if applies:
        if not tests:
            passed = ["no threshold, risk or data-category condition"]
        return _obligation(rule, duty, target, passed, steps, ctx)
    code = failed[0].reason_code if duty.match == "all" else failed[-1].reason_code
    joiner = "; " if duty.match == "all" else "; and "
    reason = f"{duty.clause}: " + joiner.join(test.detail for test in failed) + "."
    return _not_required(rule, duty, code, reason, steps, ctx, target)


def _evaluate_rule(rule: Rule, ctx: _Context) -> list[Obligation | NotRequired]:
    outcomes: list[Obligation | NotRequired] = []
    applied: dict[str, bool] = {}
    for duty_id, versions in rule.duty_versions.items():
        duty, version_check = _version(rule, versions, ctx)
        if duty is None:
            outcomes.append(
                _not_required(rule, versions[0], "not_in_force", version_check.detail, [version_check], ctx)
            )
            applied[duty_id] = False
            continue
        steps = [version_check, *checks.gates(rule, duty, ctx.facts, applied)]
        gate = steps[-1] if steps[-1].rules_out else None
        results: list[Obligation | NotRequired] = [
            _not_required(rule, duty, gate.reason_code, gate.detail, steps, ctx)] if gate else [
            _evaluate_target(rule, duty, target, steps, ctx) for target in _targets(rule, duty, ctx.facts)
        ]
        applied[duty_id] = any(isinstance(result, Obligation) for result in results)
        outcomes.extend(results)
    return outcomes


def rule_engaged(rule: Rule, facts: Facts) -> bool:
    """Return whether the facts engage the rule: people living where it applies, or its regime declared."""
    if rule.regime:
        return rule.regime in facts.regimes
    return any(count > 0 for code, count in facts.affected.items() if code in rule.residence)


def _uncovered(facts: Facts, rules: RuleSet, ctx: _Context) -> None:
    for code, count in sorted(facts.affected.items()):
        if count > 0 and not rules.covering(code):
            ctx.warn("no_rule", f"{count:,} affected people live in {code}, which no rule file covers: "
                     "check the local law by hand.", code)


def plan(facts: Facts, rules: RuleSet | None = None, *, traced: bool = True) -> Plan:
    """Return the obligations, the duties found not to apply, and warnings, for ``facts``.

    With ``traced`` off the entries carry an empty trace (the what-if variants need none).
    """
    rules = rules if rules is not None else load_rules()
    basis, warnings = _risk_basis(facts)
    ctx = _Context(facts=facts, risk=basis, warnings=warnings, traced=traced, seen=set(warnings))
    _uncovered(facts, rules, ctx)
    outcomes = [outcome for rule in rules if rule_engaged(rule, facts) for outcome in _evaluate_rule(rule, ctx)]
    if ctx.risk_used:
        ctx.warn("risk_heuristic", risk_method.HEURISTIC_NOTE)
    obligations = [item for item in outcomes if isinstance(item, Obligation)]
    obligations.sort(key=lambda o: (o.due_at is None, o.due_at or facts.aware_at, o.jurisdiction, o.audience))
    not_required = [item for item in outcomes if isinstance(item, NotRequired)]
    return Plan(obligations=obligations, not_required=not_required, warnings=ctx.warnings, risk=basis)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _entry_json(entry: Obligation | NotRequired, explain: bool) -> dict[str, Any]:
    data = asdict(entry)
    if not explain:
        del data["trace"]
    if isinstance(entry, Obligation):
        data["due_at"] = _iso(entry.due_at)
        data["clock_started_at"] = _iso(entry.clock_started_at)
    return data


def plan_to_json(result: Plan, *, with_risk: bool = False, explain: bool = False) -> dict[str, Any]:
    """Return the plan as JSON-ready data: obligations, not_required, warnings (and risk if asked).

    Times are UTC ISO 8601 with a ``Z``; a duty with no numeric deadline has ``due_at`` null.
    With ``explain`` every obligation and not_required entry carries its ``trace``.
    """
    data: dict[str, Any] = {
        "obligations": [_entry_json(obligation, explain) for obligation in result.obligations],
        "not_required": [_entry_json(entry, explain) for entry in result.not_required],
        "warnings": [asdict(warning) for warning in result.warnings],
    }
    if with_risk:
        data["risk"] = asdict(result.risk)
    return data
