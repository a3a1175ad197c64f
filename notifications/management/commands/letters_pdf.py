"""manage.py letters_pdf NOTICE_ID OUTPUT.pdf: the printed letters of a notice, for the mail house."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from incidents.errors import Conflict
from notifications.delivery import letters, sending
from notifications.models import Notice


class Command(BaseCommand):
    help = "Write one PDF with a letter for each person of the notice flagged for a printed letter."

    def add_arguments(self, parser):
        parser.add_argument("notice_id", type=int)
        parser.add_argument("output", type=Path, help="The PDF to write (replaced only once it is complete).")

    def handle(self, *args, notice_id: int, output: Path, **options):
        notice = Notice.objects.filter(pk=notice_id).first()
        if notice is None:
            raise CommandError(f"No notice {notice_id}.")
        # Written beside the output and renamed when complete: the mail house never gets half a batch.
        partial = output.with_name(f".{output.name}.partial")
        try:
            with partial.open("wb") as stream:
                count = letters.letters_pdf_write(actor=sending.OperatorActor(), notice=notice, stream=stream)
            partial.replace(output)
        except Conflict as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc}") from exc
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"Notice {notice.pk}: {count} letters written to {output}")
