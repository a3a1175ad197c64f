"""The incident and the approved notice the fan-out benchmark sends."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import Group, User
from django.utils import timezone

from bench.fakes_server import ALIYUN_TEMPLATE, TENCENT_TEMPLATE
from incidents import services
from incidents.models import OrganisationProfile
from notifications.models import Notice, NoticeVersion, ProviderTemplate
from notifications.notices import drafting, rendering
from notifications.notices.requirements import drafted_codes, element_requirements


def bench_incident():
    responder = User.objects.create_user(username="bench_responder")
    responder.groups.add(Group.objects.get(name="responder"))
    return services.incident_create(
        actor=responder,
        title="Benchmark breach",
        description="Fan-out benchmark.",
        occurred_at=datetime(2026, 3, 25, 22, 0, tzinfo=UTC),
        aware_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
        affected={"US-CA": 1, "DE": 1},
        data_categories=["name", "email_address", "password"],
    )


def approved_notice(incident) -> Notice:
    """A notice to individuals in English and Chinese over e-mail, SMS and push, as legal approved it
    (status approved, the version's rendering hash recorded); drafting and approval are not what
    this benchmark measures."""
    author = User.objects.get_or_create(username="bench_legal")[0]
    facts = drafting.incident_snapshot(incident, [])
    requirements = element_requirements(audience="individuals", obligations=[], facts=facts)
    languages = ["en", "zh-hans"]
    notice = Notice.objects.create(
        incident=incident, audience="individuals", jurisdictions=[], languages=languages,
        channels=["email", "sms", "push"], created_by=author, status="approved",
    )
    version = NoticeVersion.objects.create(
        notice=notice, number=1, author=author, facts=facts,
        elements=drafting.draft_elements(
            facts=facts, codes=drafted_codes(audience="individuals", requirements=requirements), languages=languages
        ),
    )
    version.content_sha256 = rendering.version_content_sha256(version)
    version.approved_by, version.approved_at = author, timezone.now()
    version.save()
    return notice


def china_route() -> None:
    """The organisation's mainland route and the templates the fakes registered, approved."""
    OrganisationProfile.objects.create(
        legal_name="Bench Org", dpo_name="DPO", dpo_email="dpo@bench.test",
        sms_routes=[{"country": "CN", "prefix": "+861", "providers": ["sms_tencent", "sms_aliyun", "sms_twilio"]}],
    )
    for provider, (code, text), parameters in (
        ("sms_tencent", TENCENT_TEMPLATE, {"1": "reference", "2": "date", "3": "link"}),
        ("sms_aliyun", ALIYUN_TEMPLATE, {"ref": "reference", "day": "date", "key": "link"}),
    ):
        ProviderTemplate.objects.create(
            provider=provider, code=code, language="zh-hans", text=text, parameters=parameters, status="approved"
        )
