"""``manage.py rotate_recipient_keys``: re-seal affected people's details under the first key."""

from django.core.management.base import BaseCommand, CommandError

from notifications.models.crypto import DecryptionError
from notifications.recipients.keys import ROTATION_BATCH_SIZE, recipients_rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt every recipient's contact details under the first key of FIELD_ENCRYPTION_KEYS, "
        "in batches. Safe to interrupt and run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=ROTATION_BATCH_SIZE)

    def handle(self, *args, batch_size: int, **options):
        try:
            result = recipients_rotate_keys(batch_size=batch_size)
        except DecryptionError as exc:
            raise CommandError(f"{exc} Nothing after that batch was rotated.") from exc
        self.stdout.write(f"key: {result.key_id}\nrotated: {result.rotated}\nremaining: {result.remaining}")
