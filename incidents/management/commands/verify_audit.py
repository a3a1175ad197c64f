"""Recompute the audit hash chains: ``manage.py verify_audit [REF]``; exits 1 when a chain is broken."""

from django.core.management.base import BaseCommand, CommandError

from incidents.audit import AuditEvent, audit_verify_chain
from incidents.models import Incident


class Command(BaseCommand):
    help = "Verify the hash chain of every incident's audit trail (or of one incident)."

    def add_arguments(self, parser):
        parser.add_argument("ref", nargs="?", help="Incident reference, e.g. INC-2026-0001")

    def handle(self, *args, ref=None, **options):
        if ref:
            incidents = list(Incident.objects.filter(ref=ref))
            if not incidents:
                raise CommandError(f"No incident {ref}.")
            chains = [(incident.ref, incident.audit_events.order_by("seq")) for incident in incidents]
        else:
            chains = [(incident.ref, incident.audit_events.order_by("seq")) for incident in Incident.objects.all()]
            chains.append(("(organisation)", AuditEvent.objects.filter(incident=None).order_by("seq")))
        broken = 0
        for label, events in chains:
            result = audit_verify_chain(events.select_related("incident"))
            if result is None:
                self.stdout.write(f"OK {label} ({events.count()} events)")
            else:
                broken += 1
                self.stdout.write(f"BROKEN {label} at event #{result.seq} (id {result.event_id}): {result.reason}")
        if broken:
            raise CommandError(f"{broken} audit chain(s) broken.", returncode=1)
