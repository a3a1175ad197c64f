"""Notices (notice.py), affected people (recipient.py) and deliveries (delivery.py)."""
from notifications.models.delivery import *  # noqa: F403
from notifications.models.notice import *  # noqa: F403
from notifications.models.recipient import *  # noqa: F403
