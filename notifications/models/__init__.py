"""Notices (notice.py), affected people (recipient.py) and deliveries (delivery.py)."""
