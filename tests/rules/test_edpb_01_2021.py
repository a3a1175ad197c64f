"""The EDPB's own worked examples (Guidelines 01/2021) run through the planner.

Each case read is a row of ``edpb_01_2021.toml``: its facts in the planner's terms and the
guideline's answer for the supervisory authority (Art. 33) and for the data subjects (Art. 34).
A row that records a ``disagreement`` is an expected failure with that reason (strict), so the
day the heuristic reaches the guideline's answer the test says so.
"""

import tomllib
from pathlib import Path

import pytest

from incidents.rules import facts_from_json, plan

TABLE = tomllib.loads((Path(__file__).parent / "edpb_01_2021.toml").read_text(encoding="utf-8"))
CASES = TABLE["cases"]
REQUIRED_SHARE_AGREEING = 0.9


def _answers(case: dict) -> dict[str, bool]:
    """Return whether the planner owes the authority notification and the communication to the people."""
    owed = {obligation.rule_code for obligation in plan(facts_from_json(case["facts"])).obligations}
    return {"authority": "EU:supervisory_authority" in owed, "people": "EU:data_subjects" in owed}


def _param(case: dict):
    marks = [pytest.mark.xfail(reason=case["disagreement"], strict=True)] if case.get("disagreement") else []
    return pytest.param(case, id=f"case-{case['number']:02d}", marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_the_planner_gives_the_guidelines_answer(case):
    assert _answers(case) == {"authority": case["authority"], "people": case["people"]}, case["title"]


def test_at_least_nine_in_ten_cases_read_agree_and_every_disagreement_is_written_up():
    disagreeing = [case for case in CASES if _answers(case) != {"authority": case["authority"], "people": case["people"]}]
    assert all(case.get("disagreement") for case in disagreeing), [case["number"] for case in disagreeing]
    assert 1 - len(disagreeing) / len(CASES) >= REQUIRED_SHARE_AGREEING


def test_every_one_of_the_eighteen_cases_is_either_read_or_listed_as_not_read():
    read = [case["number"] for case in CASES]
    not_read = [number for entry in TABLE["not_read"] for number in entry["numbers"]]
    assert sorted(read + not_read) == list(range(1, 19))
    assert all(case["read_from"] and case["facts_note"] for case in CASES)


def test_cases_not_read_say_why_and_the_source_is_the_edpb():
    assert all(entry["why"] for entry in TABLE["not_read"])
    assert TABLE["source"].startswith("https://www.edpb.europa.eu/")
