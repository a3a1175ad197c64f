"""The planner's input: the facts of a breach, parsed and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, overload

from incidents.rules import categories, jurisdictions
from incidents.rules import risk as risk_method
from incidents.rules.loader import load_rules

TIME_FIELDS = (
    "aware_at", "occurred_at", "determined_at", "assessed_at", "materiality_determined_at",
    "individual_notice_sent_at", "handling_closed_at",
)
# Moments that can only come once the organisation is aware: a clock counted from one of them never starts
# before aware_at. (occurred_at, and only it, may come earlier.)
AFTER_AWARENESS = (
    "determined_at", "assessed_at", "materiality_determined_at", "individual_notice_sent_at", "handling_closed_at",
)
KNOWN_FIELDS = {
    *TIME_FIELDS, "affected", "data_categories", "encrypted", "key_compromised", "redacted",
    "no_harm_determination", "risk", "assessment", "role", "regimes", "eu_main_establishment",
}
ROLES = ("controller", "processor")
# Times outside this window are typos (a year 9999, a 0026 for 2026), refused before any clock runs:
# the API and the forms refuse them too, and a deadline past year 9999 cannot even be computed.
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


class FactsError(ValueError):
    """A planner input that cannot be used; ``field`` names the offending key (dotted)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class NoHarmDetermination:
    """A recorded legal decision that the breach is not reasonably likely to cause harm: who, when, why.

    The engine never infers one; it only applies a harbour the law allows when this is given.
    """

    by: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class Facts:
    aware_at: datetime
    affected: dict[str, int]
    data_categories: tuple[str, ...]
    occurred_at: datetime | None = None
    determined_at: datetime | None = None
    assessed_at: datetime | None = None
    materiality_determined_at: datetime | None = None
    individual_notice_sent_at: datetime | None = None
    handling_closed_at: datetime | None = None
    encrypted: bool = False
    key_compromised: bool = False
    redacted: bool = False
    no_harm_determination: NoHarmDetermination | None = None
    malicious: bool = False
    risk: str | None = None
    assessment: dict[str, Any] | None = None
    role: str = "controller"
    regimes: tuple[str, ...] = ()
    eu_main_establishment: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@overload
def _time(data: dict, key: str, required: Literal[True]) -> datetime: ...


@overload
def _time(data: dict, key: str, required: bool = False) -> datetime | None: ...


def _time(data: dict, key: str, required: bool = False) -> datetime | None:
    value = data.get(key)
    if value is None:
        if required:
            raise FactsError(key, "is required")
        return None
    if not isinstance(value, str):
        raise FactsError(key, "must be an ISO 8601 date-time string with a UTC offset")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise FactsError(key, f"is not an ISO 8601 date-time: {value!r}") from error
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise FactsError(key, f"needs a UTC offset (e.g. +01:00 or Z): {value!r}")
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise FactsError(key, f"{value!r} is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    return moment


def _affected(data: dict) -> dict[str, int]:
    value = data.get("affected")
    if value is None:
        raise FactsError("affected", "is required: {jurisdiction code: number of people}")
    if not isinstance(value, dict):
        raise FactsError("affected", "must be an object {jurisdiction code: number of people}")
    for code, count in value.items():
        if not jurisdictions.is_known_jurisdiction(code):
            raise FactsError(
                f"affected.{code}",
                "unknown jurisdiction code: use ISO 3166-1 alpha-2 (DE, CN) or ISO 3166-2 for US states and "
                "Canadian provinces (US-CA, CA-QC)",
            )
        if isinstance(count, bool) or not isinstance(count, int):
            raise FactsError(f"affected.{code}", f"must be a whole number, got {count!r}")
        if count < 0:
            raise FactsError(f"affected.{code}", f"must not be negative, got {count}")
    return dict(value)


def _categories(data: dict) -> tuple[str, ...]:
    value = data.get("data_categories")
    if value is None:
        raise FactsError("data_categories", "is required: a list of category codes")
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise FactsError("data_categories", "must be a list of category codes")
    unknown = categories.unknown_codes(value)
    if unknown:
        raise FactsError("data_categories", f"unknown category code(s): {', '.join(unknown)}")
    return tuple(dict.fromkeys(value))


def _flag(data: dict, key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise FactsError(key, f"must be true or false, got {value!r}")
    return value


def _risk(data: dict) -> tuple[str | None, dict | None]:
    level = data.get("risk")
    if level is not None and (not isinstance(level, str) or level not in risk_method.LEVELS):
        raise FactsError("risk", f"must be one of {', '.join(risk_method.LEVELS)}, got {level!r}")
    assessment = data.get("assessment")
    if assessment is None:
        return level, None
    if not isinstance(assessment, dict):
        raise FactsError("assessment", "must be an object")
    try:
        risk_method.severity_assess(data_categories=data.get("data_categories") or [], assessment=assessment)
    except risk_method.AssessmentError as error:
        raise FactsError(f"assessment.{error.field}", error.message) from error
    return level, dict(assessment)


def _no_harm(data: dict) -> NoHarmDetermination | None:
    value = data.get("no_harm_determination")
    if value is None:
        return None
    key = "no_harm_determination"
    if not isinstance(value, dict):
        raise FactsError(key, 'must be an object {"by": "username", "at": "ISO time", "reason": "..."}')
    for name in value:
        if name not in ("by", "at", "reason"):
            raise FactsError(f"{key}.{name}", "unknown field: use by, at and reason")
    texts = {}
    for name in ("by", "reason"):
        text = value.get(name)
        if not isinstance(text, str) or not text.strip():
            raise FactsError(f"{key}.{name}", "is required: a determination is a recorded decision with its author")
        texts[name] = text.strip()
    try:
        at = _time(value, "at", required=True)
    except FactsError as error:
        raise FactsError(f"{key}.at", error.message) from error
    return NoHarmDetermination(by=texts["by"], at=at, reason=texts["reason"])


def _regimes(data: dict, known: frozenset[str]) -> tuple[str, ...]:
    value = data.get("regimes", [])
    if not isinstance(value, list):
        raise FactsError("regimes", "must be a list of regime codes")
    for index, regime in enumerate(value):
        if not isinstance(regime, str) or regime not in known:
            raise FactsError(f"regimes[{index}]", f"unknown regime {regime!r}; known: {', '.join(sorted(known))}")
    return tuple(dict.fromkeys(value))


def _establishment(data: dict) -> str | None:
    value = data.get("eu_main_establishment")
    if value is not None and (not isinstance(value, str) or value not in jurisdictions.EEA_MEMBER_STATES):
        raise FactsError("eu_main_establishment", f"must be an EEA member-state code or null, got {value!r}")
    return value


def facts_from_json(data: Any, *, regimes: frozenset[str] | None = None) -> Facts:
    """Parse the planner's JSON object into Facts; raise FactsError naming the first bad field.

    ``regimes`` is the set of regime codes accepted (default: those the shipped rules know).
    """
    if not isinstance(data, dict):
        raise FactsError("(input)", "must be a JSON object")
    if regimes is None:
        regimes = load_rules().regimes
    role = data.get("role", "controller")
    if not isinstance(role, str) or role not in ROLES:
        raise FactsError("role", f"must be controller or processor, got {role!r}")
    aware_at = _time(data, "aware_at", required=True)
    times = {key: _time(data, key) for key in TIME_FIELDS if key != "aware_at"}
    for key in AFTER_AWARENESS:
        moment = times[key]
        if moment is not None and moment < aware_at:
            raise FactsError(key, f"is earlier than aware_at: it can only come once the organisation is aware "
                                  f"({data[key]} < {data['aware_at']})")
    affected, data_categories = _affected(data), _categories(data)
    risk, assessment = _risk(data)
    return Facts(
        aware_at=aware_at, **times, affected=affected, data_categories=data_categories,
        encrypted=_flag(data, "encrypted"), key_compromised=_flag(data, "key_compromised"),
        redacted=_flag(data, "redacted"), no_harm_determination=_no_harm(data),
        malicious=bool(assessment and assessment.get("malicious")), risk=risk, assessment=assessment, role=role, regimes=_regimes(data, regimes),
        eu_main_establishment=_establishment(data),
        extra={key: value for key, value in data.items() if key not in KNOWN_FIELDS},
    )
