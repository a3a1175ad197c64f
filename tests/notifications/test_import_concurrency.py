"""Two imports of the same people into one incident at once: each person is stored once."""

from __future__ import annotations

import io
import threading

import pytest
from django.db import connection, connections

from notifications.models import Recipient
from notifications.recipients.importing import recipients_import
from notifications.recipients.reading import numbered

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks need PostgreSQL"),
]


def test_concurrent_imports_of_the_same_people_store_each_person_once(responder, incident):
    barrier = threading.Barrier(2)
    summaries = []

    def run(prefix: str):
        rows = [{"external_id": f"{prefix}-{n}", "email": f"p{n}@example.org", "jurisdiction": "DE"} for n in range(300)]
        try:
            barrier.wait()
            summaries.append(recipients_import(
                actor=responder, incident=incident, rows=numbered(rows), source_name=f"{prefix}.csv",
                rejects_stream=io.StringIO(),
            ))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(prefix,)) for prefix in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted((summary.imported, summary.rejected) for summary in summaries) == [(0, 300), (300, 0)]
    assert Recipient.objects.filter(incident=incident).count() == 300
