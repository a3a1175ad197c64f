"""manage.py send_notice NOTICE_ID --as USERNAME: queue an approved notice for delivery (again: no effect)."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_fsm import TransitionNotAllowed

from incidents.actors import add_actor_argument, command_actor
from incidents.errors import Conflict
from notifications.delivery import evidence, queue, sending
from notifications.delivery.plan import DELIVERABLE
from notifications.management.progress import terminal_progress
from notifications.models import Notice


class Command(BaseCommand):
    help = "Queue an approved notice: one delivery per person and channel. Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("notice_id", type=int)
        add_actor_argument(parser)
        parser.add_argument(
            "--force-skip", action="append", default=[], choices=DELIVERABLE, metavar="CHANNEL",
            help="Send without this channel although it cannot send (repeatable); recorded in the audit trail.",
        )

    def handle(self, *args, notice_id: int, as_user: str, force_skip: list[str], **options):
        notice = Notice.objects.filter(pk=notice_id).first()
        if notice is None:
            raise CommandError(f"No notice {notice_id}.")
        try:
            with terminal_progress(self.stderr, "deliveries", None) as advance:
                notice = sending.notice_send(
                    actor=command_actor(as_user), notice=notice, force_skip=force_skip, progress=advance
                )
        except (Conflict, TransitionNotAllowed, PermissionDenied, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(evidence.notice_delivery_summary(notice=notice)))
        if queue.dispatch_waiting(notice_id=notice.pk):
            # The dispatch waits in the outbox, committed: beat's relay publishes it once the broker is back.
            raise CommandError(
                "queued, will start when the broker is back (beat's relay publishes it within "
                "DISPATCH_RELAY_SECONDS of its return; running this command again is harmless).", returncode=75,
            )
