"""Messages people can verify: the e-mail and the SMS come from exactly the sender the notice names, on the
organisation's sending domains, and approval is refused, naming the profile's field, where they disagree."""

from __future__ import annotations

import re

import pytest

from incidents.errors import Conflict
from incidents.models import OrganisationProfile
from notifications.delivery import batch, sending
from notifications.models import Delivery, Recipient
from notifications.notices import checks, services
from tests.fakes.fixtures import TEST_FROM_NUMBER
from tests.notifications.conftest import approved, complete

FROM = "notices@ex.test"
BASE_URL = "https://ex.test"


@pytest.fixture
def providers(settings, smtp_server, twilio_server, fcm_server):
    settings.EMAIL_RATE_PER_SECOND = settings.SMS_RATE_PER_SECOND = settings.PUSH_RATE_PER_SECOND = 0
    settings.CELERY_BROKER_URL = "memory://"
    settings.DEFAULT_FROM_EMAIL = f"Example Cloud Services <{FROM}>"
    settings.BREACHLINE_BASE_URL = BASE_URL
    return smtp_server, twilio_server


def _senders(**identities) -> None:
    OrganisationProfile.objects.update(**{"sending_domains": ["ex.test"], "email_sender": FROM,
                                          "sms_sender": TEST_FROM_NUMBER, **identities})


def _individual_notice(responder, incident):
    return next(notice for notice in services.notices_draft(actor=responder, incident=incident)
                if notice.audience == "individuals")


def test_the_email_and_the_sms_arrive_from_the_very_sender_the_notice_names(
        providers, responder, legal, assessed_incident):
    smtp, twilio = providers
    _senders()
    notice = approved(_individual_notice(responder, assessed_incident), responder, legal)
    person = Recipient(incident=assessed_incident, external_id="ca-1", jurisdiction="US-CA", language="en")
    person.set_contact(name="Maria Lopez", email="maria@example.org", phone="+14155550123")
    person.save()
    sending.notice_send(actor=legal, notice=notice, force_skip=["push"])
    batch.deliveries_send_batch(delivery_ids=list(
        Delivery.objects.filter(notice=notice, status="queued").values_list("id", flat=True)))

    [mail], [sms] = smtp.messages, twilio.messages
    named_email = re.search(r"We only write to you from (\S+)\. Our links only go to (\S+)\.", mail.text)
    named_sms = re.search(r"Our text messages come from (\S+)\.", mail.text)
    assert named_email.group(1) == FROM == mail.mail_from
    assert FROM in mail.message["From"]
    assert named_email.group(2) == "ex.test" and person.personal_url in sms.body
    assert person.personal_url.startswith(BASE_URL)
    assert named_sms.group(1) == TEST_FROM_NUMBER == sms.from_


@pytest.mark.parametrize(("identities", "field"), [
    ({"email_sender": "dpo@example.com"}, "email_sender"),
    ({"sms_sender": "ExampleCloud"}, "sms_sender"),
    ({"sending_domains": ["example.com"]}, "sending_domains"),
])
def test_approval_is_refused_naming_the_field_when_the_sender_differs_from_the_promise(
        providers, responder, legal, assessed_incident, identities, field):
    _senders(**identities)
    notice = complete(_individual_notice(responder, assessed_incident), responder)
    problems = [problem for problem in checks.approval_problems(notice.current_version) if field in problem]
    assert problems, field
    notice = services.notice_transition(actor=responder, notice=notice, name="submit")
    with pytest.raises(Conflict, match=field):
        services.notice_transition(actor=legal, notice=notice, name="approve")
