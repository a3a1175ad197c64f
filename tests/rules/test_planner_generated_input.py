"""The planner under generated input: whatever facts arrive, it answers a plan whose deadlines all
fall on or after awareness, or refuses naming the field; it never fails any other way."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from incidents.rules import FactsError, facts_from_json, plan
from incidents.rules.answer import facts_answer, split_options
from incidents.rules.categories import CATEGORIES
from incidents.rules.facts import KNOWN_FIELDS, TIME_FIELDS
from incidents.rules.jurisdictions import EU_MEMBER_STATES
from incidents.rules.loader import load_rules
from incidents.rules.risk import LEVELS

RULES = load_rules()  # once, so that hypothesis does not time the first load as input generation
CODES = sorted(EU_MEMBER_STATES | {"US-CA", "US-NY", "US-TX", "CA-QC", "CN", "SG", "GB", "BR", "JP", "AU"})
ENISA = {
    "ease_of_identification": ["negligible", "limited", "significant", "maximum"],
    "confidentiality": ["none", "limited", "untrusted", "public"],
    "integrity": ["none", "recoverable", "unrecoverable"],
    "availability": ["none", "temporary", "permanent"],
    "volume": ["normal", "large"],
}

# Anything a JSON body can hold (and a little more: NaN, lone surrogates), a few levels deep.
WILD = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80) | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


def _sane_or_wild(sane: st.SearchStrategy, wild: st.SearchStrategy = WILD) -> st.SearchStrategy:
    """One value in twenty wild: with a dozen keys, about half the examples reach the rules engine."""
    return st.integers(min_value=0, max_value=19).flatmap(lambda pick: wild if pick == 19 else sane)


@st.composite
def moments(draw) -> str:
    """A date-time string: mostly ISO 8601 with any offset in any year, sometimes naive or not a time."""
    moment = draw(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31)))  # noqa: DTZ001
    # Now and then the edges of the accepted window and of what a datetime can hold.
    year = draw(_sane_or_wild(st.just(moment.year), st.sampled_from([1, 1989, 1990, 2100, 2101, 9999])))
    moment = moment.replace(year=year, day=min(moment.day, 28))
    offset = timedelta(minutes=draw(st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1)))
    written = [moment.replace(tzinfo=timezone(offset)).isoformat(), moment.replace(tzinfo=UTC).isoformat()]
    return draw(_sane_or_wild(st.sampled_from(written), st.sampled_from(
        [moment.isoformat(), moment.isoformat().replace("T", " ") + "Z", str(moment.year)])))


FACT_VALUES = {
    **{key: _sane_or_wild(moments()) for key in TIME_FIELDS},
    "affected": _sane_or_wild(st.dictionaries(
        _sane_or_wild(st.sampled_from(CODES), st.text(max_size=6)),
        _sane_or_wild(st.integers(min_value=0, max_value=3_000_000),
                      st.integers(min_value=-(2**70), max_value=2**70) | WILD),
        min_size=1, max_size=5)),
    "data_categories": _sane_or_wild(st.lists(_sane_or_wild(st.sampled_from(sorted(category.code for category in CATEGORIES)), st.text(max_size=8)),
                                              max_size=6)),
    "encrypted": _sane_or_wild(st.booleans()), "key_compromised": _sane_or_wild(st.booleans()),
    "redacted": _sane_or_wild(st.booleans()),
    "risk": _sane_or_wild(st.sampled_from(LEVELS)),
    "assessment": _sane_or_wild(st.fixed_dictionaries({}, optional={
        **{key: _sane_or_wild(st.sampled_from(values)) for key, values in ENISA.items()},
        "malicious": _sane_or_wild(st.booleans()),
    })),
    "role": _sane_or_wild(st.sampled_from(["controller", "processor"])),
    "regimes": _sane_or_wild(st.lists(st.sampled_from(sorted(RULES.regimes)), max_size=3)),
    "eu_main_establishment": _sane_or_wild(st.sampled_from(sorted(EU_MEMBER_STATES))),
    "no_harm_determination": _sane_or_wild(st.fixed_dictionaries(
        {"by": st.text(max_size=10), "at": moments(), "reason": st.text(max_size=20)})),
    "explain": _sane_or_wild(st.booleans()), "what_if": _sane_or_wild(st.booleans()),
}
assert set(FACT_VALUES) >= KNOWN_FIELDS
# aware_at, affected and data_categories are required: always there (if not always sane), so that most
# examples reach the rules engine; the other keys come and go.
REQUIRED = ("aware_at", "affected", "data_categories")
FACTS = st.fixed_dictionaries({key: FACT_VALUES[key] for key in REQUIRED},
                              optional={key: value for key, value in FACT_VALUES.items() if key not in REQUIRED})
FIELDS = KNOWN_FIELDS | {"(input)", "explain", "what_if"}


def _field_root(field: str) -> str:
    return field.split(".")[0].split("[")[0]


@settings(max_examples=300)
@given(FACTS)
def test_the_planner_answers_or_names_the_field_and_no_deadline_precedes_awareness(data):
    try:
        facts_data, options = split_options(data)
        facts = facts_from_json(facts_data, regimes=RULES.regimes)
    except FactsError as error:
        assert _field_root(error.field) in FIELDS
        assert error.message
        event(f"refused naming {_field_root(error.field)}")
        return
    event("planned")
    for obligation in plan(facts, RULES).obligations:
        if obligation.due_at is not None:
            assert obligation.due_at >= facts.aware_at, obligation.rule_code
    json.dumps(facts_answer(facts, **options, rules=RULES), allow_nan=False)


# Through the API a bad field is a 400 that names it, never a 500; JSON cannot carry NaN.
JSON_FACTS = FACTS.filter(lambda data: "NaN" not in json.dumps(data) and "Infinity" not in json.dumps(data))


@pytest.mark.django_db
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(data=JSON_FACTS)
def test_the_plan_endpoint_never_answers_5xx(api_as, responder, data):
    response = api_as(responder).post("/api/obligations/plan/", data, format="json")
    assert response.status_code in (200, 400), response.content[:300]
    event(f"answered {response.status_code}")
    if response.status_code == 400:
        assert {_field_root(field) for field in response.json()} <= FIELDS
