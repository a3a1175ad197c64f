"""The reminder times page: an admin types times the way people say them; others read who gets what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from incidents.audit import AuditEvent
from incidents.models import OrganisationProfile
from tests.notifications.conftest import PROFILE

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(db):
    return OrganisationProfile.objects.create(**PROFILE)


def test_an_admin_sets_the_reminder_times_in_words_and_the_page_reads_them_back(client, admin_user, profile):
    client.force_login(admin_user)
    url = reverse("reminder-settings")
    page = client.get(url).content.decode()
    assert 'value="1 d, 6 h, 1 h"' in page and 'value="2 h, 1 h, 15 min"' in page

    response = client.post(url, {"reminder_minutes": "48h, 1 d 12 h, 90 min", "short_clock_hours": "8",
                                 "short_clock_reminder_minutes": "3 小时, 30min, 10 min"}, follow=True)
    assert "Reminder times saved" in response.content.decode()
    profile.refresh_from_db()
    assert profile.reminder_minutes == [2880, 2160, 90]
    assert profile.short_clock_reminder_minutes == [180, 30, 10]
    assert profile.short_clock_hours == 8
    changes = AuditEvent.objects.filter(action="organisation_profile.edited").latest("id").payload["changes"]
    assert changes["reminder_minutes"] == [[1440, 360, 60], [2880, 2160, 90]]
    assert 'value="2 d, 1 d 12 h, 1 h 30 min"' in client.get(url).content.decode()


def test_a_time_that_is_not_one_is_named_and_nothing_is_stored(client, admin_user, profile):
    client.force_login(admin_user)
    page = client.post(reverse("reminder-settings"), {
        "reminder_minutes": "24 h, soon, 0 min", "short_clock_hours": "12",
        "short_clock_reminder_minutes": "2 h, 2 d"}).content.decode()
    assert "soon, 0 min" in page and "2 d" in page
    profile.refresh_from_db()
    assert profile.reminder_minutes == [1440, 360, 60]


def test_a_responder_reads_who_gets_what_but_cannot_change_the_times(client, responder, profile):
    client.force_login(responder)
    url = reverse("reminder-settings")
    page = client.get(url).content.decode()
    assert "owner and everyone in the legal group" in page
    assert "Only an admin may change the reminder times." in page and "<form method=\"post\">" not in page
    client.post(url, {"reminder_minutes": "5 min", "short_clock_hours": "1", "short_clock_reminder_minutes": "1 min"})
    profile.refresh_from_db()
    assert profile.reminder_minutes == [1440, 360, 60]
