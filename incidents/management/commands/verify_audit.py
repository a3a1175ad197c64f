"""Verify the audit chains and their signed heads:
``manage.py verify_audit [REF] [--anchors FILE] [--anchors-bucket]``.

Exits 1 when a chain is broken, its tail is missing, or an anchored head is no longer in the chain.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from incidents.anchor_bucket import anchor_bucket_configured, anchor_bucket_lines
from incidents.audit import AuditEvent, AuditHead, audit_check_anchors, audit_verify_chain
from incidents.models import Incident


class Command(BaseCommand):
    help = "Verify the keyed hash chain and signed head of every incident's audit trail (or of one incident)."

    def add_arguments(self, parser):
        parser.add_argument("ref", nargs="?", help="Incident reference, e.g. INC-2026-0001")
        parser.add_argument("--anchors", type=Path, help="An anchor file written by the anchor task to check against")
        parser.add_argument("--anchors-bucket", action="store_true",
                            help="Check against every anchor in AUDIT_ANCHOR_S3_BUCKET too")

    def handle(self, *args, ref=None, anchors=None, anchors_bucket=False, **options):
        incidents = Incident.objects.filter(ref=ref) if ref else Incident.objects.all()
        chains = [(incident.ref, incident.pk) for incident in incidents.order_by("pk")]
        if ref and not chains:
            raise CommandError(f"No incident {ref}.")
        if not ref:
            chains.append(("(organisation)", None))
        heads = {head.incident_id: head for head in AuditHead.objects.all()}
        broken = 0
        for label, incident_id in chains:
            events = AuditEvent.objects.filter(incident_id=incident_id).select_related("incident").order_by("seq")
            result = audit_verify_chain(events.iterator(), heads.get(incident_id))
            if result is None:
                self.stdout.write(f"OK {label} ({events.count()} events)")
            else:
                broken += 1
                where = f"event #{result.seq}" + (f" (id {result.event_id})" if result.event_id else "")
                self.stdout.write(f"BROKEN {label} at {where}: {result.reason}")
        if anchors:
            with anchors.open(encoding="utf-8") as lines:
                problems = audit_check_anchors(lines)
            for problem in problems:
                self.stdout.write(f"BROKEN {problem}")
            broken += len(problems)
        if anchors_bucket:
            if not anchor_bucket_configured():
                raise CommandError("--anchors-bucket needs AUDIT_ANCHOR_S3_BUCKET.")
            problems = audit_check_anchors(anchor_bucket_lines())
            for problem in problems:
                self.stdout.write(f"BROKEN {problem} (bucket)")
            broken += len(problems)
        if broken:
            raise CommandError(f"{broken} audit chain problem(s) found.", returncode=1)
