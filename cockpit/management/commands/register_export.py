"""manage.py register_export [--format csv|json] [--user USERNAME] [--output FILE]: the breach register."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cockpit.register import register_export


class Command(BaseCommand):
    help = "Export the breach register (every incident but drills) as CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="json")
        parser.add_argument("--user", help="Export as this user (their permissions apply); default: a superuser.")
        parser.add_argument("--output", help="Write to this file instead of standard output.")

    def handle(self, *args, **options):
        users = get_user_model().objects.filter(is_active=True)
        user = (users.filter(username=options["user"]) if options["user"] else
                users.filter(is_superuser=True).order_by("pk")).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}." if options["user"] else
                               "No active superuser: pass --user USERNAME.")
        try:
            text = register_export(user=user, file_format=options["format"])
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
