"""``manage.py import_recipients REF FILE --as USERNAME``: import affected people from CSV or JSON Lines."""

import json

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from incidents.actors import add_actor_argument, command_actor
from incidents.errors import Conflict
from incidents.models import Incident
from notifications.management.progress import terminal_progress
from notifications.recipients.importing import import_workers, recipients_import_file
from notifications.recipients.reading import ImportFormatError


class Command(BaseCommand):
    help = (
        "Import affected people for an incident from a CSV file (header row) or JSON Lines (.jsonl). "
        "Bad rows are reported in FILE.rejects.csv. Exits 0 when any row was imported, 1 when none."
    )

    def add_arguments(self, parser):
        parser.add_argument("ref", help="Incident reference, e.g. INC-2026-0001.")
        parser.add_argument("file", help="CSV or JSON Lines file.")
        add_actor_argument(parser)
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args, ref: str, file: str, as_user: str, as_json: bool, **options):
        incident = Incident.objects.filter(ref=ref).first()
        if incident is None:
            raise CommandError(f"No incident {ref}.")
        actor = command_actor(as_user)
        try:
            total = _rows_in(file) if self.stderr.isatty() else None
            with terminal_progress(self.stderr, "rows read", total) as advance:
                summary = recipients_import_file(
                    actor=actor, incident=incident, path=file, workers=import_workers(),
                    progress=lambda done: advance(done.read, f"{done.imported:,} imported, {done.rejected:,} rejected"),
                )
        except (ImportFormatError, PermissionDenied, Conflict, OSError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        self.stdout.write(_render(summary.as_dict(), as_json=as_json))
        if not summary.imported:
            raise CommandError(f"No row was imported; see {summary.rejects_path}.", returncode=1)


def _rows_in(path: str) -> int | None:
    """The number of lines after a CSV header (or of a JSON Lines file): the bar's length, exact unless a
    CSV value spans lines. None when the file cannot be read (the import then says why)."""
    try:
        with open(path, "rb") as stream:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))
    except OSError:
        return None
    return max(lines - (0 if path.endswith((".jsonl", ".ndjson")) else 1), 0)


def _render(summary: dict, *, as_json: bool) -> str:
    if as_json:
        return json.dumps(summary, indent=2)
    lines = [
        f"imported: {summary['imported']}",
        f"rejected: {summary['rejected']}",
        f"kept with warnings: {summary['kept_with_warnings']}",
    ]
    lines += [f"  {code}: {count}" for code, count in summary["per_jurisdiction"].items()]
    lines.append("identified on the incident: " + ", ".join(f"{c} {n}" for c, n in summary["identified"].items()))
    lines.append(f"rejects: {summary['rejects_path']}")
    return "\n".join(lines)
