"""The planner: ``manage.py obligations SCENARIO.json [--format table] [--explain] [--what-if]``. Nothing is stored."""

import json
import sys
import textwrap
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from incidents.rules.answer import plan_answer, split_options
from incidents.rules.facts import FactsError


class Command(BaseCommand):
    help = "Print the notification plan for a scenario (JSON facts) without storing anything."

    def add_arguments(self, parser):
        parser.add_argument("scenario", help="Path to the scenario JSON file ('-' reads standard input).")
        parser.add_argument("--format", choices=["json", "table"], default="json")
        parser.add_argument("--explain", action="store_true",
                            help="Show the trace behind every decision: rule version, clause, facts matched, steps.")
        parser.add_argument("--what-if", action="store_true", dest="what_if",
                            help="Re-run with one fact changed at a time and list the duties that appear or disappear.")

    def handle(self, *args, scenario: str, format: str, explain: bool, what_if: bool, **options):
        try:
            raw = sys.stdin.read() if scenario == "-" else Path(scenario).read_text(encoding="utf-8")
            data = json.loads(raw)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"{scenario}: {exc}") from exc
        try:
            facts, asked = split_options(data)
            result = plan_answer(facts, explain=explain or asked["explain"], what_if=what_if or asked["what_if"])
        except FactsError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc
        if format == "json":
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(render_table(result))


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or "-"


def render_table(result: dict) -> str:
    """Return the plan as text a lawyer can follow: deadline first, then who, why and on what basis."""
    lines = [f"Risk used: {result['risk']['level']} ({result['risk']['source']})", "", "OBLIGATIONS"]
    for number, item in enumerate(result["obligations"], start=1):
        flag = "" if item["status"] == "confirmed" else f"  [{item['status'].upper()}: verify before relying on it]"
        lines += [
            f"{number:>3}. {item['due_at'] or 'no fixed deadline':<22} {item['jurisdiction']:<10} "
            f"{item['audience']:<28}{flag}",
            f"     To:      {item['authority']}",
            f"     Timing:  {item['timing']} (clock: {item['clock_start']})",
            f"     Basis:   {item['basis']}",
            f"     Content: {', '.join(item['content']) or '-'}",
            textwrap.indent(_wrap(f"Why: {item['reason']}", 100), "     "),
            *_trace_lines(item),
        ]
    lines += ["", "NOT REQUIRED"]
    for item in result["not_required"]:
        lines.append(f"   - {item['jurisdiction']:<10} {item['audience']:<28} {item['reason']} ({item['basis']})")
        lines += _trace_lines(item)
    lines += ["", "WARNINGS"]
    lines += [f"   ! {warning['message']}" for warning in result["warnings"]] or ["   none"]
    if "what_if" in result:
        lines += ["", "WHAT IF"]
        lines += [line for change in result["what_if"] for line in _what_if_lines(change)] or ["   nothing changes"]
    return "\n".join(lines)


def _trace_lines(item: dict) -> list[str]:
    """Return the decision's trace as indented lines: rule and version, facts matched, each step's outcome."""
    trace = item.get("trace")
    if not trace:
        return []
    version = trace["version"]
    facts = ", ".join(f"{key}={value}" for key, value in trace["facts"].items()) or "-"
    lines = [
        f"     Trace:   {trace['rule_code']} version {version['effective_from']} to "
        f"{version['effective_to'] or 'open end'} ({version['status']}, verified {version['last_verified']}); "
        f"clause {trace['clause']}",
        f"     Matched: {facts}",
    ]
    for step in trace["steps"]:
        lines.append(textwrap.indent(_wrap(f"{step['step']}: {step['outcome']}: {step['detail']}", 96), "       "))
    return lines


def _what_if_lines(change: dict) -> list[str]:
    lines = [f"   ? {change['description']}"]
    lines += [f"       + {duty['rule_code']} {duty['residence'] or ''} -> {duty['authority']}" for duty in change["appear"]]
    lines += [f"       - {duty['rule_code']} {duty['residence'] or ''} ({duty.get('reason_code', '')})"
              for duty in change["disappear"]]
    return lines
