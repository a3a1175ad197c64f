"""The organisation profile accepts the US sector regimes, and open incidents are replanned with them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incidents import services
from incidents.models import Obligation

pytestmark = pytest.mark.django_db


def test_declaring_regulation_s_p_and_the_insurance_laws_adds_their_duties_to_open_incidents(
    api_as, admin_user, responder
):
    leak = services.incident_create(
        actor=responder, title="Client portal credentials leaked", aware_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
        affected={"US-OH": 300}, data_categories=["name", "email_address", "password"],
    )
    assert not leak.obligations.filter(jurisdiction__in=["US-SEC-REGSP", "US-NAIC-IDSL"]).exists()
    response = api_as(admin_user).patch(
        "/api/organisation/", {"legal_name": "Example Securities LLC", "dpo_name": "DPO", "dpo_email": "dpo@example.com",
                               "regimes": ["US-SEC-REGSP", "US-NAIC-IDSL"]}, format="json",
    )
    assert response.status_code == 200, response.content
    notice = Obligation.objects.get(incident=leak, jurisdiction="US-SEC-REGSP", applies=True)
    assert notice.due_at == datetime(2026, 4, 27, 3, 59, 59, tzinfo=UTC)
    commissioners = Obligation.objects.filter(incident=leak, jurisdiction="US-NAIC-IDSL", applies=True)
    assert {row.authority for row in commissioners} == {
        "Insurance commissioner of the licensee's state of domicile (home state for a producer)",
        "Ohio Department of Insurance",
    }
