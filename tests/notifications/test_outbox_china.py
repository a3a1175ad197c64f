"""With DEBUG on, SMS to mainland China takes the organisation's routes into the development outbox: the
provider the route names, its registered template filled in, and the next provider when the first has none."""

from __future__ import annotations

import pytest
from django.test import Client

from notifications.channels.outbox import outbox_messages
from notifications.delivery import sending
from notifications.models import Delivery, ProviderTemplate, Recipient
from tests.notifications import test_provider_templates as templates
from tests.notifications import test_sending_pages as sending_pages
from tests.notifications.delivery_helpers import person

# The routing table's fixture of the provider-template tests and the development outbox's, shared.
cn_route, outbox = templates.cn_route, sending_pages.outbox


@pytest.fixture
def cn_notice(outbox, cn_route, individual_notice, responder, legal):
    templates.register_all()
    return templates._approve(individual_notice, responder, legal)


def _sms_in_outbox() -> dict[str, dict]:
    return {message["to"]: message for message in outbox_messages() if message["channel"] == "sms"}


def test_a_chinese_number_goes_through_tencent_with_its_registered_template_and_others_through_twilio(
        cn_notice, legal):
    incident = cn_notice.incident
    Recipient.objects.bulk_create([person(incident, "cn1", jurisdiction="CN", phone="+8613800000001"),
                                   person(incident, "us1", jurisdiction="US-CA", phone="+14155550001")])

    sending.notice_send(actor=legal, notice=cn_notice)
    sending_pages._send_everything(cn_notice)

    sms = _sms_in_outbox()
    chinese, american = sms["+8613800000001"], sms["+14155550001"]
    assert (chinese["provider"], chinese["template"]) == ("sms_tencent", "2105874")
    assert chinese["text"].startswith(f"Your personal data may be affected by incident {incident.ref} of ")
    assert set(chinese["template_params"]) == {"1", "2", "3"}
    assert chinese["text"].endswith(f"/n/{chinese['template_params']['3']}/")
    assert (american["provider"], american["template"]) == ("sms_twilio", "")


def test_without_an_approved_tencent_template_alibaba_carries_the_chinese_number(cn_notice, legal):
    ProviderTemplate.objects.filter(provider="sms_tencent").update(status="pending")
    person(cn_notice.incident, "cn1", jurisdiction="CN", phone="+8613800000001").save()

    sending.notice_send(actor=legal, notice=cn_notice)
    sending_pages._send_everything(cn_notice)

    chinese = _sms_in_outbox()["+8613800000001"]
    assert (chinese["provider"], chinese["template"]) == ("sms_aliyun", "SMS_480215002")
    assert set(chinese["template_params"]) == {"ref", "day", "key"}


def test_push_takes_each_address_s_provider_into_the_outbox_jpush_for_a_chinese_android_phone(cn_notice, legal,
                                                                                                admin_user):
    incident = cn_notice.incident
    Recipient.objects.bulk_create([
        person(incident, "cn1", jurisdiction="CN", phone="+8613800000001", jpush_registration_id="1a0018970af2b3c4d5e"),
        person(incident, "us1", jurisdiction="US-CA", phone="+14155550001", fcm_token="fcm-token-us1"),
    ])

    sending.notice_send(actor=legal, notice=cn_notice)
    sending_pages._send_everything(cn_notice)

    push = {message["to"]: message for message in outbox_messages() if message["channel"] == "push"}
    assert push["1a0018970af2b3c4d5e"]["provider"] == "push_jpush"
    assert push["fcm-token-us1"]["provider"] == "fcm"
    jpush_delivery = Delivery.objects.get(notice=cn_notice, channel="push", recipient__external_id="cn1")
    assert jpush_delivery.provider_id.startswith("jpush:outbox-"), "a receipt still names JPush"
    admin_user.is_staff = True
    admin_user.save()
    staff = Client()
    staff.force_login(admin_user)
    page = staff.get("/dev/outbox/").content.decode()
    assert "through JPush" in page and "through Firebase Cloud Messaging" in page
