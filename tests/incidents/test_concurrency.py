"""Two people firing transitions on one incident at once: exactly one wins."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections

from incidents import services
from incidents.errors import Conflict
from incidents.models import Incident

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_concurrent_contain_lets_exactly_one_win(responder, admin_user):
    incident = services.incident_create(
        actor=responder, title="Race", aware_at=datetime.now(UTC)
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def contain(actor, summary):
        try:
            barrier.wait()
            services.incident_transition(
                actor=actor, incident=Incident.objects.get(pk=incident.pk), name="contain", reason=summary
            )
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(f"conflict: {exc}")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=contain, args=(responder, "Responder closed the bucket.")),
        threading.Thread(target=contain, args=(admin_user, "Admin closed the bucket.")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcome.split(":")[0] for outcome in outcomes) == ["conflict", "won"]
    assert "it is contained" in next(outcome for outcome in outcomes if outcome.startswith("conflict"))
    incident.refresh_from_db()
    assert incident.state == "contained"
    assert list(incident.audit_events.values_list("action", flat=True)) == ["incident.created", "incident.contain"]
