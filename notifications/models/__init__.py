"""Notices (notice.py), affected people (recipient.py) and deliveries (delivery.py)."""
from notifications.models.recipient import *  # noqa: F403
