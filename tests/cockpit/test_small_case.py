"""The small case: a few people typed by name and e-mail become a notice waiting for legal in one step, and
legal approves and sends it in one more."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from incidents.audit import AuditEvent
from incidents.models import OrganisationProfile
from notifications.models import Delivery, Notice, Recipient
from tests.notifications.conftest import PROFILE, assessed, channels_configured  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(db):
    return OrganisationProfile.objects.create(**PROFILE)


@pytest.fixture
def small(responder, profile):
    return assessed(responder, title="Payslips e-mailed to the wrong team", affected={"US-CA": 2},
                    description="Two payslips were e-mailed to the wrong team.",
                    aware_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC), data_categories=["name", "ssn"])


def _people(**changes) -> dict[str, str]:
    return {"small-name_1": "Pat Payee", "small-email_1": "pat@example.org",
            "small-name_2": "Sam Payee", "small-email_2": "sam@example.org", **changes}


def test_the_incident_page_offers_the_form_and_one_step_drafts_the_notice_for_legal(client, responder, small):
    client.force_login(responder)
    page = client.get(reverse("incident-detail", args=[small.ref])).content.decode()
    assert 'id="small-case"' in page and "Person 2: e-mail address" in page

    response = client.post(reverse("incident-small-case", args=[small.ref]), _people(), follow=True)
    assert "drafted for 2 people and sent to legal for approval" in response.content.decode()
    notice = Notice.objects.get(incident=small, audience="individuals")
    assert (notice.status, notice.languages) == ("in_review", ["en"])
    assert Recipient.objects.filter(incident=small).count() == 2
    assert AuditEvent.objects.filter(incident=small, action="recipients.imported").get().payload["via"] == "web"
    assert 'id="small-case"' not in client.get(reverse("incident-detail", args=[small.ref])).content.decode()


def test_a_bad_address_is_named_and_nothing_is_stored(client, responder, small):
    client.force_login(responder)
    response = client.post(reverse("incident-small-case", args=[small.ref]), _people(**{"small-email_2": "sam@"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was stored" in page and "Enter a valid email address." in page
    assert 'value="Pat Payee"' in page  # what was typed stays in the form
    assert not Recipient.objects.filter(incident=small).exists() and not Notice.objects.filter(incident=small).exists()


def test_more_than_ten_people_is_no_small_case(client, responder, profile):
    big = assessed(responder, title="Big", affected={"US-CA": 11}, data_categories=["name", "ssn"],
                   aware_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    client.force_login(responder)
    assert 'id="small-case"' not in client.get(reverse("incident-detail", args=[big.ref])).content.decode()
    response = client.post(reverse("incident-small-case", args=[big.ref]), _people(), follow=True)
    assert "is not a small case" in response.content.decode()
    assert not Recipient.objects.filter(incident=big).exists()


@pytest.mark.usefixtures("channels_configured")
def test_legal_approves_and_sends_in_one_step_but_the_author_may_not(client, responder, legal, small):
    client.force_login(responder)
    client.post(reverse("incident-small-case", args=[small.ref]), _people())
    notice = Notice.objects.get(incident=small)
    url = reverse("notifications:notice-approve-and-send", args=[notice.pk])
    refused = client.post(url, follow=True).content.decode()
    notice.refresh_from_db()
    assert notice.status == "in_review" and "notifications.send_notice" in refused

    client.force_login(legal)
    page = client.get(reverse("notifications:notice-editor", args=[notice.pk])).content.decode()
    assert "Approve and send now" in page
    response = client.post(url, follow=True)
    assert "approved and sending started" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("notifications:notice-delivery", args=[notice.pk])
    notice.refresh_from_db()
    assert notice.status == "sending"
    assert Delivery.objects.filter(notice=notice, channel="email").count() == 2
