"""notice_send: one delivery per person and channel, planned per jurisdiction, queued after commit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from incidents.audit import AuditEvent
from incidents.errors import Conflict
from notifications.delivery import sending
from notifications.models import Delivery, Notice, NoticeVersion
from tests.notifications.delivery_helpers import approved_notice, people, person

# Sending refuses a channel that cannot send; these tests need every channel configured.
pytestmark = pytest.mark.usefixtures("channels_configured")


@pytest.fixture
def notice(incident):
    return approved_notice(incident)


def _rows(notice):
    return sorted(
        Delivery.objects.filter(notice=notice).values_list("recipient__external_id", "channel", "status", "legal")
    )


def test_sending_creates_one_delivery_per_person_and_reachable_channel(legal, incident, notice):
    people(incident, 3)
    person(incident, "mail-only", email="mail@example.org").save()

    sending.notice_send(actor=legal, notice=notice)

    notice.refresh_from_db()
    assert notice.status == "sending"
    assert Delivery.objects.filter(notice=notice).count() == 3 * 3 + 1
    assert _rows(notice)[-1] == ("p2", "sms", "queued", False)
    assert ("mail-only", "email", "queued", True) in _rows(notice)
    assert set(Delivery.objects.values_list("version", flat=True)) == {notice.current_version.pk}


def test_sending_twice_creates_nothing_more(legal, incident, notice):
    people(incident, 5)
    sending.notice_send(actor=legal, notice=notice)
    first = _rows(notice)

    sending.notice_send(actor=legal, notice=notice)

    assert _rows(notice) == first
    assert AuditEvent.objects.filter(action="notice.sending_started").count() == 1


def test_work_is_queued_only_after_the_transaction_commits(legal, incident, notice, django_capture_on_commit_callbacks):
    people(incident, 2)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sending.notice_send(actor=legal, notice=notice)

    assert len(callbacks) == 1


def test_a_person_without_any_legal_address_is_flagged_for_a_printed_letter(legal, incident, notice):
    person(incident, "phone-only", phone="+14155550100", postal_address="1 Main St, San Francisco").save()
    person(incident, "push-only", fcm_token="tok").save()

    sending.notice_send(actor=legal, notice=notice)

    letter = Delivery.objects.get(recipient__external_id="phone-only", channel="email")
    assert (letter.status, letter.error_code, letter.needs_printed_letter) == ("failed", "no_address", True)
    no_post = Delivery.objects.get(recipient__external_id="push-only", channel="email")
    assert (no_post.needs_printed_letter, no_post.substitute) == (False, True)
    assert Delivery.objects.get(recipient__external_id="phone-only", channel="sms").status == "queued"


def test_a_configured_fallback_channel_is_used_at_once_for_people_without_a_legal_address(legal, incident, notice):
    sending.notice_plan_update(
        actor=legal, notice=notice, overrides={"*": {"alerts": ["push"], "fallback": ["sms"]}}
    )
    person(incident, "phone-only", phone="+14155550100").save()

    sending.notice_send(actor=legal, notice=notice)

    failed = Delivery.objects.get(recipient__external_id="phone-only", channel="email")
    fallback = Delivery.objects.get(recipient__external_id="phone-only", channel="sms")
    assert fallback.fallback_of == failed
    assert fallback.status == "queued"


def test_a_minor_is_reached_through_the_guardian_and_never_by_push(legal, incident, notice):
    person(incident, "kid", is_minor=True, guardian_email="parent@example.org", fcm_token="kid-token").save()

    sending.notice_send(actor=legal, notice=notice)

    assert _rows(notice) == [("kid", "email", "queued", True)]


def test_people_get_the_notice_in_their_language_when_it_was_written_in_it(legal, incident):
    notice = approved_notice(incident, languages=["en", "zh-hans"])
    person(incident, "zh", language="zh-hans", email="zh@example.org").save()
    person(incident, "fr", language="fr", email="fr@example.org").save()

    sending.notice_send(actor=legal, notice=notice)

    languages = dict(Delivery.objects.values_list("recipient__external_id", "language"))
    assert languages == {"zh": "zh-hans", "fr": "en"}


def test_a_notice_whose_text_changed_after_approval_is_not_sent(legal, incident):
    notice = approved_notice(incident)
    version = notice.current_version
    elements = version.elements
    code = next(iter(elements["en"]))
    elements["en"][code] += " Changed behind legal's back."
    NoticeVersion.objects.filter(pk=version.pk).update(elements=elements)

    with pytest.raises(Conflict, match="no longer matches"):
        sending.notice_send(actor=legal, notice=notice)
    notice.refresh_from_db()
    assert notice.status == "approved"
    assert not Delivery.objects.exists()


def test_a_draft_notice_cannot_be_sent(legal, incident):
    notice = approved_notice(incident)
    Notice.objects.filter(pk=notice.pk).update(status="in_review")

    with pytest.raises(Conflict, match="Only an approved notice"):
        sending.notice_send(actor=legal, notice=notice)


def test_someone_without_the_send_permission_cannot_send(outsider, responder, notice):
    for user in (outsider, responder):
        with pytest.raises(PermissionDenied):
            sending.notice_send(actor=user, notice=notice)
    assert not Delivery.objects.exists()


def test_sending_is_audited_with_the_counts(legal, incident, notice):
    people(incident, 2)

    sending.notice_send(actor=legal, notice=notice)

    event = AuditEvent.objects.get(action="notice.sending_started")
    assert (event.actor, event.from_state, event.to_state) == (legal, "approved", "sending")
    assert event.payload["deliveries"]["email"] == 2


def test_the_plan_cannot_change_once_sending(legal, incident, notice):
    sending.notice_send(actor=legal, notice=notice)

    with pytest.raises(Conflict):
        sending.notice_plan_update(actor=legal, notice=notice, overrides={"*": {"fallback": ["sms"]}})
