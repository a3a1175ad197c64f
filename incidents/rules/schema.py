"""The rule-file format: typed dataclasses and the validation that builds them.

A rule file is TOML; ``rule_from_toml(data, path)`` returns a ``Rule`` or raises
``RuleFileError`` naming the file and the dotted path of the first bad field
(``duties[1].deadline.unit``). Unknown keys are errors too, so a typo cannot silently
drop a condition. The format is documented field by field in SCHEMA.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, NoReturn, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incidents.rules import categories, jurisdictions

STATUSES = ("confirmed", "secondary", "unconfirmed")
AUDIENCES = ("regulator", "individuals", "consumer_reporting_agencies", "media", "controller")
CLOCK_STARTS = (
    "aware", "occurred", "determined", "assessed", "materiality_determined", "individual_notice_sent",
    "handling_closed",
)
UNITS = ("hours", "calendar_days", "business_days", "after_calendar_year", "none")
OPERATORS = (">", ">=", "<", "<=")
ROLES = ("controller", "processor")
RISK_LEVELS = ("low", "medium", "high", "very_high")
FAN_OUTS = ("none", "residence", "residence_unless_established")
MATCHES = ("all", "any")
SAFE_HARBOUR_KINDS = ("encryption", "redaction", "no_risk_of_harm")
CHANNELS = (
    "email", "post", "sms", "push", "phone", "instant_message", "website", "media", "public_announcement",
    "in_person", "online_form", "fax", "edgar",
)
CONTENT_ELEMENTS: dict[str, str] = {
    "nature": "What happened: the nature of the breach",
    "dates": "Date, estimated date or date range of the breach and of its discovery",
    "data_involved": "Categories of personal data involved",
    "numbers": "Approximate numbers of people and of records concerned",
    "consequences": "Likely consequences / possible harm",
    "measures_taken": "Measures taken or proposed, including mitigation",
    "what_you_can_do": "Steps the individual can take to protect themselves",
    "contact": "Contact point (DPO or other) for more information",
    "cause": "The cause of the breach, where known",
    "credit_bureaus": "Toll-free numbers and addresses of the major credit bureaus",
    "identity_protection_offer": "Free identity-theft prevention and mitigation services offered",
    "law_enforcement_delay": "Whether notice was delayed at law enforcement's request",
    "reasons_for_delay": "Reasons for a notice later than the deadline",
    "material_impact": "Material impact or reasonably likely material impact on the registrant",
    "discovery": "How and when the breach was discovered",
    "exposure": "How long the data were exposed, and whether access or exfiltration is confirmed, suspected or ruled out",
    "secrets_protection": "How passwords and other secrets were protected (hashing, encryption)",
    "timeline": "Chronological account of the steps taken since the breach was discovered",
    "people_informed": "Whether and when the affected people were or will be told",
    "representative": "Representative in the Union (GDPR Art. 27) or in China (PIPL Art. 53)",
    "incident_grade": "Grade of the incident (较大, 重大, 特别重大) under the CAC Grading Guide",
    "development": "How the incident may develop and the further harm it may cause",
    "attacker_leads": "Leads for the investigation: the attacker, the attack path, vulnerabilities",
    "evidence_preservation": "Preservation of the scene and of evidence",
    "support_requested": "Further measures planned and support requested",
    "accountability": "Accountability established after the incident",
    "rectification": "Rectification carried out after the incident",
    "lessons": "Lessons learned from the incident",
}
# Regulator documents whose contents the law or the authority defines; a duty names one with
# ``report`` (builders: notifications/notices/reports.py). Other regulator duties get the common template.
REPORTS = ("cn_cac_initial", "cn_cac_closing", "cn_pipl_57", "sg_pdpc", "eu_gdpr_33", "gb_ico", "us_ca_ag_sample")
TOP_KEYS = {
    "code", "name", "law", "status", "time_zone", "last_verified", "effective_from", "effective_to",
    "sources", "note", "applies", "calendar", "authorities", "definitions", "safe_harbours", "duties", "examples",
}
DEFINITION_KEYS = {"id", "clause", "effective_from", "effective_to", "status", "with_name", "alone", "note"}
SAFE_HARBOUR_KEYS = {"id", "kind", "clause", "key_exception", "status", "conditions"}
DUTY_KEYS = {
    "id", "audience", "clause", "timing", "clock_start", "deadline", "authority", "status", "note",
    "effective_from", "effective_to", "roles", "min_risk", "risk_wording", "threshold", "categories",
    "match", "covered_data", "safe_harbours", "when_malicious", "content", "channels", "substitute_notice", "law_enforcement_delay",
    "when_regimes", "unless_regimes", "after_duty", "fan_out", "report", "malicious_deadline",
}


class RuleFileError(ValueError):
    """A rule file that does not match the schema; names the file and the dotted field path."""

    def __init__(self, path: str | Path, field_path: str, message: str) -> None:
        super().__init__(f"{Path(path).name}: {field_path}: {message}")
        self.path = str(path)
        self.field_path = field_path
        self.message = message


@dataclass(frozen=True)
class Authority:
    key: str
    name: str
    portal: str = ""
    address: str = ""
    language: str = ""
    status: str = "unconfirmed"
    note: str = ""


@dataclass(frozen=True)
class Deadline:
    unit: str
    amount: int | None = None
    clause: str = ""


@dataclass(frozen=True)
class Threshold:
    op: str
    count: int

    def holds(self, value: int) -> bool:
        return {
            ">": value > self.count, ">=": value >= self.count, "<": value < self.count, "<=": value <= self.count,
        }[self.op]

    def describe(self) -> str:
        return {
            ">": f"more than {self.count:,}", ">=": f"{self.count:,} or more",
            "<": f"fewer than {self.count:,}", "<=": f"{self.count:,} or fewer",
        }[self.op]


@dataclass(frozen=True)
class Duty:
    id: str
    audience: str
    clause: str
    timing: str
    clock_start: str
    deadline: Deadline
    authority: str
    status: str
    note: str = ""
    effective_from: date | None = None
    effective_to: date | None = None
    roles: tuple[str, ...] = ("controller",)
    min_risk: str | None = None
    risk_wording: str = ""
    threshold: Threshold | None = None
    categories: tuple[frozenset[str], ...] = ()
    match: str = "all"
    covered_data: str | None = None
    safe_harbours: tuple[str, ...] = ()
    when_malicious: bool = False
    content: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    substitute_notice: str = ""
    law_enforcement_delay: bool = False
    when_regimes: tuple[str, ...] = ()
    unless_regimes: tuple[str, ...] = ()
    after_duty: str | None = None
    fan_out: str = "none"
    report: str = ""
    malicious_deadline: Deadline | None = None


@dataclass(frozen=True)
class Definition:
    """One version of a statute's definition of covered data.

    ``with_name`` combinations are covered together with the person's name (``name`` is
    already added to each); ``alone`` combinations are covered without it.
    """

    id: str
    clause: str
    status: str
    with_name: tuple[frozenset[str], ...] = ()
    alone: tuple[frozenset[str], ...] = ()
    effective_from: date | None = None
    effective_to: date | None = None
    note: str = ""

    @property
    def combinations(self) -> tuple[frozenset[str], ...]:
        return self.with_name + self.alone


@dataclass(frozen=True)
class SafeHarbour:
    """A condition in the law that lifts a duty: encryption (lost with the key when
    ``key_exception``), redaction, or a recorded no-risk-of-harm determination."""

    id: str
    kind: str
    clause: str
    status: str
    key_exception: bool = False
    conditions: str = ""


@dataclass(frozen=True)
class Calendar:
    holidays: str
    categories: tuple[str, ...] = ("public",)
    uncertain_categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Example:
    name: str
    facts: dict[str, Any]
    expect: tuple[dict[str, Any], ...] = ()
    expect_not: tuple[dict[str, Any], ...] = ()
    expect_warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    law: str
    status: str
    time_zone: ZoneInfo
    last_verified: date
    effective_from: date
    sources: tuple[str, ...]
    duties: tuple[Duty, ...]
    examples: tuple[Example, ...]
    path: str
    effective_to: date | None = None
    note: str = ""
    residence: frozenset[str] = frozenset()
    regime: str | None = None
    count_in: frozenset[str] = frozenset()
    calendar: Calendar | None = None
    authorities: dict[str, Authority] = field(default_factory=dict)
    definitions: tuple[Definition, ...] = ()
    safe_harbours: dict[str, SafeHarbour] = field(default_factory=dict)

    def duty(self, duty_id: str) -> Duty:
        return next(duty for duty in self.duties if duty.id == duty_id)

    @cached_property
    def category_codes(self) -> frozenset[str]:
        """Return every category code the duties' combinations and definitions name."""
        codes: set[str] = set()
        for duty in self.duties:
            codes.update(*duty.categories)
        for definition in self.definitions:
            codes.update(*definition.combinations)
        return frozenset(codes)

    @cached_property
    def duty_versions(self) -> dict[str, list[Duty]]:
        """Return the duties' versions by id, in file order."""
        result: dict[str, list[Duty]] = {}
        for duty in self.duties:
            result.setdefault(duty.id, []).append(duty)
        return result

    def definition_versions(self, definition_id: str) -> list[Definition]:
        return [definition for definition in self.definitions if definition.id == definition_id]


class _Reader:
    """Typed access to one TOML table, raising RuleFileError with the dotted path."""

    def __init__(self, path: str | Path, data: Any, where: str) -> None:
        self.path, self.where = path, where
        if not isinstance(data, dict):
            self.fail("", "must be a table")
        self.data = data

    def at(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where and key else (key or self.where)

    def fail(self, key: str, message: str) -> NoReturn:
        raise RuleFileError(self.path, self.at(key) or "(top level)", message)

    def only(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.fail(key, "unknown field")

    def get(self, key: str, kind: type | tuple[type, ...], required: bool = True, default: Any = None) -> Any:
        if key not in self.data:
            if required:
                self.fail(key, "is required")
            return default
        value = self.data[key]
        if isinstance(value, bool) and kind is int or not isinstance(value, kind):
            self.fail(key, f"must be {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
        return value

    def text(self, key: str, required: bool = True) -> str:
        value = self.get(key, str, required, "")
        if required and not value.strip():
            self.fail(key, "must not be empty")
        return value

    def choice(self, key: str, options: tuple[str, ...] | set[str], required: bool = True,
               default: str | None = None) -> Any:
        value = self.get(key, str, required, default)
        if value is not None and value not in options:
            self.fail(key, f"must be one of {', '.join(sorted(options))}, got {value!r}")
        return value

    def choices(self, key: str, options: Any, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        values = self.get(key, list, False, list(default))
        for index, value in enumerate(values):
            if value not in options:
                self.fail(f"{key}[{index}]", f"unknown value {value!r}")
        return tuple(values)

    @overload
    def day(self, key: str, required: Literal[True] = True) -> date: ...

    @overload
    def day(self, key: str, required: bool) -> date | None: ...

    def day(self, key: str, required: bool = True) -> date | None:
        value = self.get(key, date, required)
        if isinstance(value, datetime):
            self.fail(key, "must be a date (YYYY-MM-DD), not a date-time")
        return value

    def sub(self, key: str) -> _Reader:
        return _Reader(self.path, self.data[key], self.at(key))


def _deadline(reader: _Reader, key: str = "deadline") -> Deadline:
    deadline = reader.sub(key) if key in reader.data else reader.fail(key, "is required")
    deadline.only({"unit", "amount"} if key == "deadline" else {"unit", "amount", "clause"})
    unit = deadline.choice("unit", UNITS)
    amount = deadline.get("amount", int, required=unit != "none")
    if unit == "none" and amount is not None:
        deadline.fail("amount", "must be absent when unit is none")
    if amount is not None and amount < 0:
        deadline.fail("amount", "must not be negative")
    clause = deadline.text("clause") if key != "deadline" else ""
    return Deadline(unit=unit, amount=amount, clause=clause)


def _malicious_deadline(reader: _Reader) -> Deadline | None:
    """Return the deadline that replaces ``deadline`` when an unlawful purpose is suspected, or None."""
    if "malicious_deadline" not in reader.data:
        return None
    if not reader.get("when_malicious", bool, False, False):
        reader.fail("malicious_deadline", "needs when_malicious = true: it is the deadline for that trigger")
    return _deadline(reader, "malicious_deadline")


def _threshold(reader: _Reader) -> Threshold | None:
    if "threshold" not in reader.data:
        return None
    threshold = reader.sub("threshold")
    threshold.only({"op", "count"})
    count = threshold.get("count", int)
    if count < 0:
        threshold.fail("count", "must not be negative")
    return Threshold(op=threshold.choice("op", OPERATORS), count=count)


def _combinations(reader: _Reader, key: str = "categories", add: frozenset[str] = frozenset()
                  ) -> tuple[frozenset[str], ...]:
    combos = reader.get(key, list, False, [])
    result = []
    for index, combo in enumerate(combos):
        if not isinstance(combo, list) or not combo:
            reader.fail(f"{key}[{index}]", "must be a non-empty list of category codes")
        for position, code in enumerate(combo):
            if code not in categories.CODES:
                reader.fail(f"{key}[{index}][{position}]", f"unknown category code {code!r}")
        result.append(frozenset(combo) | add)
    return tuple(result)


def _definition(path: str | Path, data: Any, where: str, rule_status: str) -> Definition:
    reader = _Reader(path, data, where)
    reader.only(DEFINITION_KEYS)
    definition = Definition(
        id=reader.text("id"), clause=reader.text("clause"),
        status=reader.choice("status", STATUSES, required=False, default=rule_status),
        with_name=_combinations(reader, "with_name", frozenset({"name"})), alone=_combinations(reader, "alone"),
        effective_from=reader.day("effective_from", required=False),
        effective_to=reader.day("effective_to", required=False), note=reader.text("note", required=False),
    )
    if not definition.combinations:
        reader.fail("", "needs at least one combination in with_name or alone")
    return definition


def _definitions(reader: _Reader, rule_status: str) -> tuple[Definition, ...]:
    items = reader.get("definitions", list, False, [])
    result: list[Definition] = []
    for index, item in enumerate(items):
        definition = _definition(reader.path, item, f"definitions[{index}]", rule_status)
        for other in result:
            if other.id == definition.id and _overlap(other, definition):
                reader.fail(f"definitions[{index}].id",
                            f"duplicate id {definition.id!r} with an overlapping effective period")
        result.append(definition)
    return tuple(result)


def _safe_harbours(reader: _Reader, rule_status: str) -> dict[str, SafeHarbour]:
    items = reader.get("safe_harbours", list, False, [])
    result: dict[str, SafeHarbour] = {}
    for index, item in enumerate(items):
        entry = _Reader(reader.path, item, f"safe_harbours[{index}]")
        entry.only(SAFE_HARBOUR_KEYS)
        harbour_id, kind = entry.text("id"), entry.choice("kind", SAFE_HARBOUR_KINDS)
        if harbour_id in result:
            entry.fail("id", f"duplicate safe harbour id {harbour_id!r}")
        if kind != "encryption" and "key_exception" in entry.data:
            entry.fail("key_exception", "applies to kind encryption only")
        result[harbour_id] = SafeHarbour(
            id=harbour_id, kind=kind, clause=entry.text("clause"),
            status=entry.choice("status", STATUSES, required=False, default=rule_status),
            key_exception=entry.get("key_exception", bool, False, kind == "encryption"),
            conditions=entry.text("conditions", required=False),
        )
    return result


def _harbour_ids(reader: _Reader, harbours: dict[str, SafeHarbour]) -> tuple[str, ...]:
    values = reader.get("safe_harbours", list, False, [])
    for index, value in enumerate(values):
        if value not in harbours:
            reader.fail(f"safe_harbours[{index}]", f"names no entry of [[safe_harbours]]: {value!r}")
    return tuple(values)


def _duty(path: str | Path, data: Any, where: str, rule_status: str, authorities: dict,
          definitions: tuple[Definition, ...], harbours: dict[str, SafeHarbour]) -> Duty:
    reader = _Reader(path, data, where)
    reader.only(DUTY_KEYS)
    authority = reader.text("authority")
    covered_data = reader.text("covered_data", required=False) or None
    if covered_data and "categories" in reader.data:
        reader.fail("covered_data", "use either covered_data or categories, never both")
    if covered_data and all(definition.id != covered_data for definition in definitions):
        reader.fail("covered_data", f"names no entry of [[definitions]]: {covered_data!r}")
    fan_out = reader.choice("fan_out", FAN_OUTS, required=False, default="none")
    if authority not in authorities:
        reader.fail("authority", f"names no entry of [authorities]: {authority!r}")
    report = reader.choice("report", REPORTS, required=False) or ""
    if report and reader.data.get("audience") != "regulator":
        reader.fail("report", "names a regulator document: only regulator duties have one")
    min_risk = reader.choice("min_risk", RISK_LEVELS, required=False)
    if min_risk and not reader.text("risk_wording", required=False):
        reader.fail("risk_wording", "is required with min_risk: quote the law's test")
    return Duty(
        id=reader.text("id"), audience=reader.choice("audience", AUDIENCES), clause=reader.text("clause"),
        timing=reader.text("timing"), clock_start=reader.choice("clock_start", CLOCK_STARTS),
        deadline=_deadline(reader), authority=authority,
        status=reader.choice("status", STATUSES, required=False, default=rule_status),
        note=reader.text("note", required=False),
        effective_from=reader.day("effective_from", required=False),
        effective_to=reader.day("effective_to", required=False),
        roles=reader.choices("roles", ROLES, default=("controller",)), min_risk=min_risk,
        risk_wording=reader.text("risk_wording", required=False), threshold=_threshold(reader),
        categories=_combinations(reader), match=reader.choice("match", MATCHES, required=False, default="all"),
        covered_data=covered_data, safe_harbours=_harbour_ids(reader, harbours),
        when_malicious=reader.get("when_malicious", bool, False, False),
        content=reader.choices("content", CONTENT_ELEMENTS), channels=reader.choices("channels", CHANNELS),
        substitute_notice=reader.text("substitute_notice", required=False),
        law_enforcement_delay=reader.get("law_enforcement_delay", bool, False, False),
        when_regimes=tuple(reader.get("when_regimes", list, False, [])),
        unless_regimes=tuple(reader.get("unless_regimes", list, False, [])),
        after_duty=reader.text("after_duty", required=False) or None, fan_out=fan_out, report=report,
        malicious_deadline=_malicious_deadline(reader),
    )


def _authorities(reader: _Reader) -> dict[str, Authority]:
    if "authorities" not in reader.data:
        reader.fail("authorities", "is required")
    table = reader.sub("authorities")
    result = {}
    for key in table.data:
        entry = table.sub(key)
        entry.only({"name", "portal", "address", "language", "status", "note"})
        result[key] = Authority(
            key=key, name=entry.text("name"), portal=entry.text("portal", False),
            address=entry.text("address", False), language=entry.text("language", False),
            status=entry.choice("status", STATUSES), note=entry.text("note", False),
        )
    return result


def _calendar(reader: _Reader) -> Calendar | None:
    if "calendar" not in reader.data:
        return None
    table = reader.sub("calendar")
    table.only({"holidays", "categories", "uncertain_categories"})
    return Calendar(
        holidays=table.text("holidays"),
        categories=tuple(table.get("categories", list, False, ["public"])),
        uncertain_categories=tuple(table.get("uncertain_categories", list, False, [])),
    )


def _codes(reader: _Reader, key: str) -> frozenset[str]:
    values = reader.get(key, list, False, [])
    for index, code in enumerate(values):
        if not jurisdictions.is_valid_pattern(code):
            reader.fail(f"{key}[{index}]", f"unknown jurisdiction code {code!r}")
    return jurisdictions.expand(values)


def _applies(reader: _Reader) -> tuple[frozenset[str], str | None, frozenset[str]]:
    if "applies" not in reader.data:
        reader.fail("applies", "is required")
    table = reader.sub("applies")
    table.only({"residence", "regime", "count_in"})
    residence = _codes(table, "residence")
    regime = table.text("regime", required=False) or None
    if bool(residence) == bool(regime):
        table.fail("", "needs exactly one of residence (a list of codes) or regime")
    count_in = _codes(table, "count_in") if "count_in" in table.data else residence
    return residence, regime, count_in


def _examples(reader: _Reader) -> tuple[Example, ...]:
    items = reader.get("examples", list, False, [])
    result = []
    for index, item in enumerate(items):
        example = _Reader(reader.path, item, f"examples[{index}]")
        example.only({"name", "facts", "expect", "expect_not", "expect_warnings"})
        example.get("facts", dict)
        for key in ("expect", "expect_not"):
            for position, entry in enumerate(example.get(key, list, False, [])):
                _Reader(reader.path, entry, f"examples[{index}].{key}[{position}]")
        result.append(Example(
            name=example.text("name"), facts=item["facts"], expect=tuple(item.get("expect", [])),
            expect_not=tuple(item.get("expect_not", [])),
            expect_warnings=tuple(example.get("expect_warnings", list, False, [])),
        ))
    return tuple(result)


def _check_duties(reader: _Reader, duties: list[Duty], calendar: Calendar | None) -> None:
    for index, duty in enumerate(duties):
        where = f"duties[{index}]"
        if duty.deadline.unit == "business_days" and calendar is None:
            reader.fail(f"{where}.deadline.unit", "business_days needs a [calendar] table")
        if duty.after_duty and all(other.id != duty.after_duty for other in duties[:index]):
            reader.fail(f"{where}.after_duty", f"names no earlier duty of this file: {duty.after_duty!r}")
        for other in duties[:index]:
            if other.id == duty.id and _overlap(other, duty):
                reader.fail(f"{where}.id", f"duplicate id {duty.id!r} with an overlapping effective period")


def _overlap(first: Duty | Definition, second: Duty | Definition) -> bool:
    start = max(first.effective_from or date.min, second.effective_from or date.min)
    end = min(first.effective_to or date.max, second.effective_to or date.max)
    return start <= end


def rule_from_toml(data: dict[str, Any], path: str | Path) -> Rule:
    """Validate one parsed rule file and return it as a Rule; raise RuleFileError."""
    reader = _Reader(path, data, "")
    reader.only(TOP_KEYS)
    status = reader.choice("status", STATUSES)
    zone_name = reader.text("time_zone")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.fail("time_zone", f"unknown IANA time zone {zone_name!r}")
    sources = reader.get("sources", list)
    if not sources or not all(isinstance(url, str) and url.startswith("http") for url in sources):
        reader.fail("sources", "must be a non-empty list of URLs")
    authorities = _authorities(reader)
    raw_duties = reader.get("duties", list)
    if not raw_duties:
        reader.fail("duties", "must list at least one duty")
    definitions, harbours = _definitions(reader, status), _safe_harbours(reader, status)
    duties = [
        _duty(path, item, f"duties[{i}]", status, authorities, definitions, harbours)
        for i, item in enumerate(raw_duties)
    ]
    calendar = _calendar(reader)
    _check_duties(reader, duties, calendar)
    residence, regime, count_in = _applies(reader)
    return Rule(
        code=reader.text("code"), name=reader.text("name"), law=reader.text("law"), status=status,
        time_zone=zone, last_verified=reader.day("last_verified"), effective_from=reader.day("effective_from"),
        effective_to=reader.day("effective_to", required=False), sources=tuple(sources),
        duties=tuple(duties), examples=_examples(reader), path=str(path), note=reader.text("note", False),
        residence=residence, regime=regime, count_in=count_in, calendar=calendar, authorities=authorities,
        definitions=definitions, safe_harbours=harbours,
    )
