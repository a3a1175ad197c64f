"""The development outbox: with DEBUG on, a channel whose provider is not configured keeps each
message here, exactly as it would have been sent, instead of failing or reaching anybody.

A newcomer can then send the demo notice from the browser and read what every person received
at ``/dev/outbox/`` with no SMTP server and no credentials. The outbox is one JSON Lines file
(``DEV_OUTBOX_FILE``): it needs no table, and several worker processes append to it under a lock.
Which channels use it is decided once, from the environment (``DEV_OUTBOX_CHANNELS`` in the
settings, read by ``base.transport_for``); with DEBUG off nothing ever uses it.
"""

from __future__ import annotations

import fcntl
import json
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from notifications.channels.base import ClosingMixin, OutboundMessage


def outbox_path() -> Path:
    return Path(settings.DEV_OUTBOX_FILE)


class OutboxTransport(ClosingMixin):
    """Stores every message it is given and answers an id of its own, like a provider."""

    def __init__(self, channel: str, *, provider: str = ""):
        self.channel = channel
        self.provider = provider

    def send(self, message: OutboundMessage) -> str:
        """Append ``message`` to the outbox file; return its outbox id. ``provider`` is the SMS provider of
        the route it stands in for (its registered template and the text that template gives are kept)."""
        message_id = f"outbox-{uuid.uuid4().hex}"
        record = {
            "id": message_id, "channel": self.channel, "provider": self.provider, "stored_at": timezone.now().isoformat(),
            "to": message.to_address, "subject": message.subject, "text": message.text, "html": message.html,
            "link": message.link, "message_id": message.message_id, "metadata": dict(message.metadata),
            "template": message.template, "template_params": dict(message.template_params),
        }
        path = outbox_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with path.open("a", encoding="utf-8") as stream:
            # Two workers appending at once must not interleave their lines.
            fcntl.flock(stream, fcntl.LOCK_EX)
            stream.write(line)
        return message_id


def outbox_messages() -> list[dict]:
    """Every message in the outbox, newest first."""
    path = outbox_path()
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as stream:
        fcntl.flock(stream, fcntl.LOCK_SH)
        records = [json.loads(line) for line in stream if line.strip()]
    records.reverse()
    return records
