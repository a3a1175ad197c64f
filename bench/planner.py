"""Planner benchmark: people in 30 jurisdictions, planned with the trace and every what-if variant.

``.venv/bin/python bench/planner.py [--runs 20]`` prints the median and slowest wall time of one
whole answer (facts parsed, plan, trace, what-if) after one warm-up run that loads the rule files.
The engine is pure: no database and no Django settings are needed. Target: under 1 s (BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from incidents.rules.answer import plan_answer  # noqa: E402
from incidents.rules.engine import facts_from_json, rule_engaged  # noqa: E402
from incidents.rules.loader import load_rules  # noqa: E402

# 15 US states and 15 other places, each engaging its own rule file (the two EU states share the GDPR's).
JURISDICTIONS = (
    "US-CA", "US-TX", "US-NY", "US-FL", "US-MA", "US-TN", "US-ND", "US-WA", "US-IL", "US-GA", "US-NJ", "US-PA",
    "US-OH", "US-MI", "US-VA", "DE", "FR", "JP", "SG", "GB", "BR", "CN", "KR", "AU", "NZ", "ZA", "TH", "HK",
    "CH", "IN",
)
SCENARIO = {
    "aware_at": "2026-03-27T10:00:00+01:00",
    "affected": {code: 500 + index * 37 for index, code in enumerate(JURISDICTIONS)},
    "data_categories": ["name", "email_address", "password", "ssn", "date_of_birth"],
    "encrypted": False,
    "assessment": {"ease_of_identification": "maximum", "confidentiality": "public", "integrity": "none",
                   "availability": "none", "malicious": True},
    "regimes": ["US-HIPAA", "US-GLBA-FTC"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    rules = load_rules()
    engaged = sum(rule_engaged(rule, facts_from_json(SCENARIO)) for rule in rules)
    answer = plan_answer(SCENARIO, explain=True, what_if=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        plan_answer(SCENARIO, explain=True, what_if=True)
        times.append(time.perf_counter() - start)
    print(
        f"{len(JURISDICTIONS)} jurisdictions ({engaged} rule files engaged), explain + what-if: "
        f"{len(answer['obligations'])} obligations, {len(answer['not_required'])} not required, "
        f"{len(answer['what_if'])} what-if changes; median {statistics.median(times) * 1000:.0f} ms, "
        f"slowest {max(times) * 1000:.0f} ms over {runs} runs (target: under 1,000 ms)"
    )


if __name__ == "__main__":
    main()
