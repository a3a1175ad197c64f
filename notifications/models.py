"""Notices, recipients and deliveries."""
