"""manage.py notice_status NOTICE_ID [--json]: the count of deliveries per channel and status."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from notifications.delivery import evidence, sending
from notifications.models import Notice


class Command(BaseCommand):
    help = "Show a notice's status and its deliveries counted per channel and status."

    def add_arguments(self, parser):
        parser.add_argument("notice_id", type=int)
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, notice_id: int, **options):
        notice = Notice.objects.filter(pk=notice_id).first()
        if notice is None:
            raise CommandError(f"No notice {notice_id}.")
        summary = evidence.notice_delivery_summary(notice=notice)
        if options["json"]:
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(f"Notice {summary['notice']}: {summary['status']}")
        statuses = evidence.STATUSES
        self.stdout.write("channel  " + " ".join(f"{status:>11}" for status in statuses))
        for channel, counts in summary["channels"].items():
            self.stdout.write(f"{channel:<8} " + " ".join(f"{counts[status]:>11}" for status in statuses))
        plan = sending.notice_plan_view(notice=notice)
        self.stdout.write("Channel plan" + (" (as sent)" if plan["frozen"] else " (if sent now)") + ":")
        for code, parts in plan["jurisdictions"].items():
            self.stdout.write(
                f"  {code:<6} legal={','.join(parts['legal']) or '-'} alerts={','.join(parts['alerts']) or '-'} "
                f"fallback={','.join(parts['fallback']) or '-'} then {parts['offline']}"
            )
        if plan["sms_providers"]:
            self.stdout.write(
                "SMS first through: " + ", ".join(f"{name} {count}" for name, count in plan["sms_providers"].items())
            )
