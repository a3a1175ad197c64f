"""manage.py register_export --as USERNAME [--format csv|json] [--output FILE]: the breach register."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cockpit.register import register_export
from incidents.actors import add_actor_argument, command_actor


class Command(BaseCommand):
    help = "Export the breach register (every incident but drills) as CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="json")
        add_actor_argument(parser)
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, **options):
        try:
            text = register_export(user=command_actor(options["as_user"]), file_format=options["format"])
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
