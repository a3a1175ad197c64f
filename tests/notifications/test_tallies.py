"""The counts the pages read (delivery summary, progress bars, reach, people) are kept by the database in the
same transaction as every change, and always equal a real count of the rows; the pages that show them run a
bounded number of queries however many people there are."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.delivery import batch, callbacks, sending, sweep
from notifications.models import Delivery, DeliveryTally, PeopleTally, ReachTally, Recipient, tally_compact
from notifications.recipients.selectors import people_count
from tests.notifications.delivery_helpers import approved_notice, people, person
from tests.notifications.tally_checks import counted, kept

pytestmark = pytest.mark.usefixtures("channels_configured")


@pytest.fixture
def providers(settings, smtp_server, twilio_server, fcm_server):
    settings.EMAIL_RATE_PER_SECOND = settings.SMS_RATE_PER_SECOND = settings.PUSH_RATE_PER_SECOND = 0
    settings.CELERY_BROKER_URL = "memory://"
    return smtp_server, twilio_server, fcm_server


def _send_everything_queued(notice) -> None:
    """Send in rounds until nothing is queued: the sends and then their fallbacks take two; a delivery put back
    for a later retry (a provider that should not fail here) would never go, and fails the test instead."""
    for _ in range(5):
        ids = list(Delivery.objects.filter(notice=notice, status="queued").values_list("id", flat=True))
        if not ids:
            return
        batch.deliveries_send_batch(delivery_ids=ids)
    pytest.fail(f"still queued after five rounds: {ids}")


def test_every_count_equals_the_rows_through_sending_failures_fallbacks_callbacks_and_compaction(
    providers, legal, incident
):
    smtp, twilio, fcm = providers
    notice = approved_notice(incident)
    sending.notice_plan_update(actor=legal, notice=notice, overrides={"US-CA": {"alerts": ["push"], "fallback": ["sms"]}})
    people(incident, 12)
    people(incident, 3, prefix="mail-only", phone=None, fcm_token=None)
    person(incident, "bounce", email="bounce@example.org", phone="+14155550901").save()
    person(incident, "eu-stop", jurisdiction="DE", phone="+4915112345678", postal_address="Hauptstr. 1").save()
    person(incident, "eu-bad", jurisdiction="DE", phone="+4915112345679").save()
    person(incident, "nobody", jurisdiction="DE", postal_address="Nirgendwo 2").save()
    person(incident, "stale", email="stale@example.org", fcm_token="stale-token").save()
    smtp.refuse("bounce@example.org")
    twilio.reject("+4915112345678", 21610)
    twilio.reject("+4915112345679", 21211)
    fcm.fail_token("stale-token", "UNREGISTERED")

    sending.notice_send(actor=legal, notice=notice)
    assert kept(notice) == counted(notice)

    _send_everything_queued(notice)
    figures = kept(notice)
    assert figures == counted(notice)
    assert figures["fallen_back"] == {"email": 2, "sms": 2}
    de = next(row for row in figures["reach"] if row["jurisdiction"] == "DE")
    assert (de["people"], de["printed_letters"], de["substitute_flagged"]) == (3, 2, 1)

    # A carrier's later verdict fails the fallback SMS: the person is reached by no channel any more.
    sms = Delivery.objects.get(notice=notice, channel="sms", recipient__external_id="bounce")
    callbacks.delivery_record_callback(status="undelivered", delivery_id=sms.pk, code="30003", text="unreachable")
    email = Delivery.objects.get(notice=notice, channel="email", recipient__external_id="p3")
    callbacks.delivery_record_callback(status="delivered", delivery_id=email.pk)
    _send_everything_queued(notice)
    assert kept(notice) == counted(notice)

    sweep.deliveries_sweep(send=lambda ids: None)
    tally_compact(DeliveryTally, [notice.pk])
    tally_compact(ReachTally, [notice.pk])
    assert kept(notice) == counted(notice)
    keys = DeliveryTally.objects.filter(notice=notice).values_list("channel", "status", "legal", "offline", "handed_on")
    assert len(keys) == len(set(keys)), "compacting leaves one row per key"


def test_the_people_count_follows_imports_additions_and_removals(legal, incident):
    people(incident, 7)
    person(incident, "de-1", jurisdiction="DE").save()
    assert people_count(incident) == 8 == Recipient.objects.filter(incident=incident).count()
    Recipient.objects.filter(external_id="p0").delete()
    Recipient.objects.filter(external_id="p1").update(jurisdiction="DE")
    tally_compact(PeopleTally, [incident.pk])
    assert (people_count(incident), people_count(incident, jurisdiction="DE")) == (7, 2)


def _pages(incident, notice, approved) -> list[str]:
    return [
        reverse("incident-detail", args=[incident.ref]),
        reverse("notifications:notice-delivery", args=[approved.pk]),
        reverse("notifications:notice-delivery", args=[notice.pk]),
        reverse("notifications:notice-delivery-progress", args=[notice.pk]),
        reverse("notifications:api-notice-reach", args=[notice.pk]),
        reverse("notifications:api-notice-delivery-summary", args=[notice.pk]),
        reverse("notifications:incident-recipients", args=[incident.ref]),
        reverse("notifications:incident-recipients", args=[incident.ref]) + "?after=1",
    ]


@pytest.mark.parametrize("size", [3, 150])
def test_the_pages_before_and_during_a_send_run_the_same_few_queries_for_3_or_150_people(
    client, legal, incident, size, django_assert_max_num_queries
):
    notice = approved_notice(incident)
    people(incident, size)
    people(incident, size, prefix="de", jurisdiction="DE", fcm_token=None)
    sending.notice_send(actor=legal, notice=notice)
    not_yet_sent = approved_notice(incident)
    client.force_login(legal)
    for url in _pages(incident, notice, not_yet_sent):
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200, url
