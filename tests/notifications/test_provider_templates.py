"""Mainland Chinese SMS: registered provider templates, the approval that needs them, the filled preview."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from incidents.errors import Conflict
from incidents.models import OrganisationProfile
from notifications.models import ProviderTemplate
from notifications.notices import services
from tests.notifications.conftest import complete
from tests.notifications.delivery_helpers import person

BASE = "http://testserver"
CN_ROUTE = [{"country": "CN", "prefix": "+861", "providers": ["sms_tencent", "sms_aliyun", "sms_twilio"]}]
TENCENT_TEXT = {
    "zh-hans": "您的个人信息可能受到安全事件{1}影响（{2}），详情请查看：" + BASE + "/n/{3}/",
    "en": "Your personal data may be affected by incident {1} of {2}. Details: " + BASE + "/n/{3}/",
}
ALIYUN_TEXT = {
    "zh-hans": "您的个人信息可能受到安全事件${ref}影响（${day}），详情请查看：" + BASE + "/n/${key}/",
    "en": "Your personal data may be affected by incident ${ref} of ${day}. Details: " + BASE + "/n/${key}/",
}


@pytest.fixture
def cn_route(settings, profile):
    settings.BREACHLINE_BASE_URL = BASE
    OrganisationProfile.objects.filter(pk=profile.pk).update(sms_routes=CN_ROUTE)


def register(provider: str, language: str, *, status: str = "approved") -> ProviderTemplate:
    if provider == "sms_tencent":
        text, parameters = TENCENT_TEXT[language], {"1": "reference", "2": "date", "3": "link"}
        code = {"zh-hans": "2105873", "en": "2105874"}[language]
    else:
        text, parameters = ALIYUN_TEXT[language], {"ref": "reference", "day": "date", "key": "link"}
        code = {"zh-hans": "SMS_480215001", "en": "SMS_480215002"}[language]
    template = ProviderTemplate(
        provider=provider, code=code, language=language, text=text, parameters=parameters, status=status
    )
    template.full_clean()
    template.save()
    return template


def register_all() -> None:
    for provider in ("sms_tencent", "sms_aliyun"):
        for language in ("zh-hans", "en"):
            register(provider, language)


def _approve(notice, responder, legal):
    notice = services.notice_transition(actor=responder, notice=complete(notice, responder), name="submit")
    return services.notice_transition(actor=legal, notice=notice, name="approve")


def test_approval_is_refused_naming_tencent_when_the_cn_route_has_no_template(
    cn_route, individual_notice, responder, legal
):
    register("sms_aliyun", "zh-hans")
    register("sms_aliyun", "en")

    with pytest.raises(Conflict) as refused:
        _approve(individual_notice, responder, legal)

    message = str(refused.value)
    assert "SMS to CN goes through Tencent Cloud SMS" in message
    assert "none is registered in zh-hans" in message and "none is registered in en" in message
    assert "Alibaba Cloud SMS" not in message


def test_approval_is_refused_while_a_template_is_pending_at_the_provider(
    cn_route, individual_notice, responder, legal
):
    register_all()
    ProviderTemplate.objects.filter(provider="sms_aliyun", language="en").update(status="pending")

    with pytest.raises(
        Conflict, match=r"Alibaba Cloud SMS, whose template SMS_480215002 \(en\) is still pending"
    ):
        _approve(individual_notice, responder, legal)


def test_approval_goes_through_once_every_provider_of_the_route_has_approved_templates(
    cn_route, individual_notice, responder, legal
):
    register_all()

    assert _approve(individual_notice, responder, legal).status == "approved"


def test_without_a_route_to_a_chinese_provider_no_template_is_needed(
    profile, individual_notice, responder, legal
):
    assert _approve(individual_notice, responder, legal).status == "approved"


def test_a_template_without_the_personal_link_cannot_be_registered(db, settings):
    settings.BREACHLINE_BASE_URL = BASE
    template = ProviderTemplate(
        provider="sms_tencent",
        code="1",
        language="zh-hans",
        text="您的个人信息可能受到安全事件{1}影响。",
        parameters={"1": "reference"},
    )

    with pytest.raises(ValidationError, match="personal link once"):
        template.full_clean()


def test_a_variable_nothing_fills_cannot_be_registered(db, settings):
    settings.BREACHLINE_BASE_URL = BASE
    template = ProviderTemplate(
        provider="sms_aliyun",
        code="SMS_1",
        language="en",
        text="Incident ${ref} by ${who}: " + BASE + "/n/${key}/",
        parameters={"ref": "reference", "key": "link"},
    )

    with pytest.raises(ValidationError, match="Variable who"):
        template.full_clean()


@pytest.mark.parametrize(
    ("provider", "language", "expected"),
    [
        (
            "sms_tencent",
            "zh-hans",
            "您的个人信息可能受到安全事件{ref}影响（2026年3月26日），详情请查看：{link}",
        ),
        (
            "sms_aliyun",
            "en",
            "Your personal data may be affected by incident {ref} of 26 March 2026. Details: {link}",
        ),
    ],
)
def test_the_preview_shows_the_registered_text_with_the_parameters_filled(
    cn_route, individual_notice, client, responder, provider, language, expected
):
    register_all()
    client.force_login(responder)

    response = client.get(
        f"/api/notices/{individual_notice.pk}/preview/",
        {"channel": "sms", "provider": provider, "language": language},
    )

    link = f"{BASE}/n/{'X' * 43}/"
    assert response.status_code == 200
    assert response.content.decode() == expected.format(ref=individual_notice.incident.ref, link=link)


def test_the_preview_of_a_provider_without_an_approved_template_says_so(
    cn_route, individual_notice, client, responder
):
    client.force_login(responder)

    response = client.get(
        f"/api/notices/{individual_notice.pk}/preview/",
        {"channel": "sms", "provider": "sms_tencent", "language": "zh-hans"},
    )

    assert response.status_code == 400
    assert "Tencent Cloud SMS has no approved template" in response.content.decode()


def test_the_channel_plan_counts_the_people_each_sms_provider_gets_first(cn_route, individual_notice, client, legal):
    incident = individual_notice.incident
    for index in range(3):
        person(incident, f"cn{index}", jurisdiction="CN", phone=f"+86138{index:08d}").save()
    person(incident, "sg", jurisdiction="SG", phone="+6581234567").save()
    person(incident, "ca", phone="+14155550100").save()
    person(incident, "no-phone", jurisdiction="CN", email="wen@example.org").save()
    client.force_login(legal)

    plan = client.get(f"/api/notices/{individual_notice.pk}/channel-plan/").json()

    assert plan["sms_providers"] == {"sms_tencent": 3, "sms_twilio": 2}
