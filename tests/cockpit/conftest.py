"""Incidents whose EU regulator deadline (72 hours from awareness) falls at a chosen distance from now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incidents import services

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)


def incident_due_in(actor, left: timedelta, *, title: str = "Misdirected e-mail", **extra):
    """Create an incident in Germany whose GDPR Art. 33 deadline is ``left`` from NOW."""
    return services.incident_create(
        actor=actor, title=title, aware_at=NOW + left - timedelta(hours=72), affected={"DE": 8},
        data_categories=["name", "email_address"], **extra,
    )


@pytest.fixture
def due_in():
    return incident_due_in
