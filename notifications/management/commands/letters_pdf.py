"""manage.py letters_pdf NOTICE_ID OUTPUT.pdf --as USERNAME: the printed letters of a notice, for the mail house."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from incidents.actors import add_actor_argument, command_actor
from incidents.errors import Conflict
from notifications.delivery import evidence, letters
from notifications.management.progress import terminal_progress
from notifications.models import Notice


class Command(BaseCommand):
    help = "Write one PDF with a letter for each person of the notice flagged for a printed letter."

    def add_arguments(self, parser):
        parser.add_argument("notice_id", type=int)
        parser.add_argument("output", type=Path, help="The PDF to write (replaced only once it is complete).")
        add_actor_argument(parser)

    def handle(self, *args, notice_id: int, output: Path, as_user: str, **options):
        notice = Notice.objects.filter(pk=notice_id).first()
        if notice is None:
            raise CommandError(f"No notice {notice_id}.")
        actor = command_actor(as_user)
        # Written beside the output and renamed when complete: the mail house never gets half a batch.
        partial = output.with_name(f".{output.name}.partial")
        try:
            total = evidence.letters_count(notice=notice)
            with partial.open("wb") as stream, terminal_progress(self.stderr, "letters", total) as advance:
                count = letters.letters_pdf_write(actor=actor, notice=notice, stream=stream, progress=advance)
            partial.replace(output)
        except (Conflict, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from exc
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"Notice {notice.pk}: {count} letters written to {output}")
