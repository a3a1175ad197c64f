"""Reaching people in mainland China with real workers: Tencent, then Alibaba, Twilio elsewhere; JPush or FCM.

300 people in China, Singapore and the United States get one SMS and one push each.
+86 numbers go through Tencent Cloud SMS with the registered template and their own
link; while Tencent fails, Alibaba Cloud SMS takes them, and nobody gets two. Phones
with a JPush registration id get their push through JPush, the rest through FCM.
Receipts collected from the providers then mark the deliveries delivered or not.
"""

from __future__ import annotations

import collections

import pytest

from incidents.models import OrganisationProfile
from notifications.delivery import completion, receipts, sending
from notifications.models import Delivery, ProviderTemplate, Recipient
from tests.integration.conftest import wait_until
from tests.notifications.conftest import PROFILE
from tests.notifications.delivery_helpers import approved_notice, person

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CN_ROUTE = [{"country": "CN", "prefix": "+861", "providers": ["sms_tencent", "sms_aliyun", "sms_twilio"]}]
TENCENT = {"zh-hans": ("2105873", "您的个人信息可能受到安全事件{1}影响（{2}），详情请查看：{base}/n/{3}/")}
ALIYUN = {
    "zh-hans": (
        "SMS_480215001",
        "您的个人信息可能受到安全事件${ref}影响（${day}），详情请查看：{base}/n/${key}/",
    )
}


@pytest.fixture
def china(settings, live_server, aliyun_sms_server, tencent_sms_server, jpush_server):
    """The organisation's CN route and templates, registered with the fakes and recorded in Breachline."""
    OrganisationProfile.objects.create(**PROFILE, sms_routes=CN_ROUTE)
    for fake, provider, templates, parameters in (
        (tencent_sms_server, "sms_tencent", TENCENT, {"1": "reference", "2": "date", "3": "link"}),
        (aliyun_sms_server, "sms_aliyun", ALIYUN, {"ref": "reference", "day": "date", "key": "link"}),
    ):
        for language, (code, text) in templates.items():
            registered = text.replace("{base}", live_server.url)
            fake.register_template(code, registered)
            ProviderTemplate.objects.create(
                provider=provider,
                code=code,
                language=language,
                text=registered,
                parameters=parameters,
                status="approved",
            )
    return {
        "ALIYUN_SMS_ACCESS_KEY_ID": aliyun_sms_server.access_key_id,
        "ALIYUN_SMS_ACCESS_KEY_SECRET": aliyun_sms_server.access_key_secret,
        "ALIYUN_SMS_SIGN_NAME": aliyun_sms_server.sign_name,
        "ALIYUN_SMS_ENDPOINT": aliyun_sms_server.base_url,
        "TENCENT_SMS_SECRET_ID": tencent_sms_server.secret_id,
        "TENCENT_SMS_SECRET_KEY": tencent_sms_server.secret_key,
        "TENCENT_SMS_SDK_APP_ID": tencent_sms_server.sdk_app_id,
        "TENCENT_SMS_SIGN_NAME": tencent_sms_server.sign_name,
        "TENCENT_SMS_ENDPOINT": tencent_sms_server.base_url,
        "JPUSH_APP_KEY": jpush_server.app_key,
        "JPUSH_MASTER_SECRET": jpush_server.master_secret,
        "JPUSH_ENDPOINT": jpush_server.base_url,
    }


def _people(incident) -> None:
    rows = []
    for index in range(100):
        jpush = {"jpush_registration_id": f"1a0018970af{index:08d}"} if index < 50 else {}
        rows.append(
            person(
                incident,
                f"cn{index}",
                jurisdiction="CN",
                language="zh-hans",
                phone=f"+86138{index:08d}",
                fcm_token=f"token-cn{index}",
                **jpush,
            )
        )
        rows.append(
            person(
                incident,
                f"sg{index}",
                jurisdiction="SG",
                phone=f"+6581{index:06d}",
                fcm_token=f"token-sg{index}",
            )
        )
        rows.append(
            person(incident, f"us{index}", phone=f"+1415555{index:04d}", fcm_token=f"token-us{index}")
        )
    Recipient.objects.bulk_create(rows)


def _statuses(notice) -> dict[tuple[str, str], int]:
    """SMS and push only: the plan adds e-mail where a residence's rule asks for it, and these people have none."""
    rows = Delivery.objects.filter(notice=notice, channel__in=["sms", "push"]).values_list(
        "channel", "status"
    )
    return dict(collections.Counter(rows))


def test_cn_numbers_go_through_tencent_once_with_the_template_alibaba_while_tencent_fails_and_receipts_count(
    workers,
    legal,
    incident,
    china,
    live_server,
    twilio_server,
    fcm_server,
    aliyun_sms_server,
    tencent_sms_server,
    jpush_server,
):
    notice = approved_notice(
        incident, channels=("sms", "push"), languages=("en", "zh-hans"), jurisdictions=("CN", "SG", "US-CA")
    )
    _people(incident)
    tencent_sms_server.fail_next(20, code="InternalError")
    workers.start(concurrency=2, extra_env=china)

    sending.notice_send(actor=legal, notice=notice)

    wait_until(
        lambda: not completion.open_deliveries(notice_id=notice.pk).exists(),
        timeout=180,
        message=f"still open: {_statuses(notice)}",
    )
    assert _statuses(notice) == {("sms", "sent"): 300, ("push", "sent"): 300}
    # Every +86 number exactly once, through Tencent or, during its failures, Alibaba; never Twilio.
    by_tencent = collections.Counter(message.phone_number for message in tencent_sms_server.messages)
    by_aliyun = collections.Counter(f"+86{message.phone_number}" for message in aliyun_sms_server.messages)
    assert by_tencent + by_aliyun == collections.Counter(f"+86138{index:08d}" for index in range(100))
    assert (len(by_tencent), len(by_aliyun)) == (80, 20)
    assert sorted(message.to for message in twilio_server.messages) == sorted(
        [f"+6581{index:06d}" for index in range(100)] + [f"+1415555{index:04d}" for index in range(100)]
    )
    # The registered text, with each person's own link.
    tokens = dict(Recipient.objects.filter(incident=incident).values_list("external_id", "personal_token"))
    for message in tencent_sms_server.messages:
        index = int(message.phone_number[-8:])
        link = f"{live_server.url}/n/{tokens[f'cn{index}']}/"
        assert message.text == (
            f"【Breachline】您的个人信息可能受到安全事件{incident.ref}影响（2026年3月26日），"
            f"详情请查看：{link}"
        )
    assert all(
        message.text.endswith(f"/n/{tokens['cn' + str(int(message.phone_number[-8:]))]}/")
        for message in aliyun_sms_server.messages
    )
    # Push: JPush ids through JPush only, everyone else through FCM.
    assert sorted(rid for message in jpush_server.messages for rid in message.registration_ids) == sorted(
        f"1a0018970af{index:08d}" for index in range(50)
    )
    assert len(fcm_server.messages) == 250
    assert not {f"token-cn{index}" for index in range(50)} & {
        message.token for message in fcm_server.messages
    }

    unlucky = max(by_tencent)
    tencent_sms_server.finish_as(unlucky, "DELIVRD_FAIL")

    counts = receipts.receipts_collect()

    assert counts == {"sms_tencent": 80, "sms_aliyun": 20, "push_jpush": 50}
    cn_sms = Delivery.objects.filter(notice=notice, channel="sms", recipient__jurisdiction="CN")
    assert dict(collections.Counter(cn_sms.values_list("status", flat=True))) == {
        "delivered": 99,
        "undelivered": 1,
    }
    failed = cn_sms.get(status="undelivered")
    assert (failed.recipient.phone, failed.error_code) == (unlucky, "DELIVRD_FAIL")
    assert Delivery.objects.filter(notice=notice, channel="push", status="delivered").count() == 50
