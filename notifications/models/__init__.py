"""Notices (notice.py), affected people (recipient.py) and their uploads (recipient_import.py), deliveries
(delivery.py), the dispatch outbox (outbox.py), provider SMS templates, and the counts the database keeps of
them (tally.py)."""
from notifications.models.delivery import *  # noqa: F403
from notifications.models.notice import *  # noqa: F403
from notifications.models.outbox import *  # noqa: F403
from notifications.models.provider_template import *  # noqa: F403
from notifications.models.recipient import *  # noqa: F403
from notifications.models.recipient_import import *  # noqa: F403
from notifications.models.tally import *  # noqa: F403
