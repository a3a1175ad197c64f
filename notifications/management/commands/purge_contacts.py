"""Erase the contact details of closed incidents past their retention: ``manage.py purge_contacts``.

Beat runs the same purge every hour; the command is for operators who want it now (or a dry run).
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from incidents.selectors import incidents_due_for_contact_purge
from notifications.recipients.retention import contacts_purge_due


class Command(BaseCommand):
    help = "Erase affected people's contact details and names for closed incidents past the retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be erased; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        if dry_run:
            due = incidents_due_for_contact_purge(now=now)
            for incident in due:
                self.stdout.write(f"would purge {incident.ref} ({incident.recipients.count()} people)")
            self.stdout.write(f"{due.count()} incident(s) due.")
            return
        purged = contacts_purge_due(actor=None, now=now)
        for ref, people in purged.items():
            self.stdout.write(f"purged {ref}: {people} people")
        self.stdout.write(f"{len(purged)} incident(s) purged.")
