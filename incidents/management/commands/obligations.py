"""The what-if planner: ``manage.py obligations SCENARIO.json [--format table]``. Nothing is stored."""

import json
import textwrap
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from incidents.rules.engine import FactsError, facts_from_json, plan, plan_to_json


class Command(BaseCommand):
    help = "Print the notification plan for a scenario (JSON facts) without storing anything."

    def add_arguments(self, parser):
        parser.add_argument("scenario", help="Path to the scenario JSON file ('-' reads standard input).")
        parser.add_argument("--format", choices=["json", "table"], default="json")

    def handle(self, *args, scenario: str, format: str, **options):
        try:
            raw = self.stdin.read() if scenario == "-" else Path(scenario).read_text(encoding="utf-8")
            data = json.loads(raw)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"{scenario}: {exc}") from exc
        try:
            result = plan_to_json(plan(facts_from_json(data)), with_risk=True)
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
        ]
    lines += ["", "NOT REQUIRED"]
    for item in result["not_required"]:
        lines.append(f"   - {item['jurisdiction']:<10} {item['audience']:<28} {item['reason']} ({item['basis']})")
    lines += ["", "WARNINGS"]
    lines += [f"   ! {warning['message']}" for warning in result["warnings"]] or ["   none"]
    return "\n".join(lines)
