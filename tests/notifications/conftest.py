"""Notices: an assessed incident with the obligations the rules engine plans for it, and drafts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from incidents import services as incident_services
from incidents.models import OrganisationProfile
from notifications.models import Notice
from notifications.notices import services
from tests.notifications.translating import notice_translate

PROFILE = {
    "legal_name": "Example Cloud Services Pte. Ltd.", "dpo_name": "Data Protection Officer",
    "dpo_email": "dpo@example.com", "dpo_phone": "+65 6000 0000", "dpo_address": "1 Example Road, Singapore 000001",
    "website": "https://www.example.com/privacy", "default_role": "controller",
    "identity_protection_offer": "credit monitoring and identity restoration", "identity_protection_months": 24,
    "call_centre_phone": "+1 800 555 0100", "call_centre_hours": "Monday to Friday, 9:00 to 18:00",
}
CAUSE = {"en": "An engineer made the snapshot public by mistake.", "zh-hans": "一名工程师误将快照设为公开。",
         "de": "Ein Techniker hat den Snapshot versehentlich öffentlich gemacht."}
# Debian's fonts-wqy-zenhei: a TrueType collection of three faces with Chinese (.ci/run installs it).
ZENHEI = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@pytest.fixture
def profile(db):
    return OrganisationProfile.objects.create(**PROFILE)


def assessed(actor, **facts):
    incident = incident_services.incident_create(actor=actor, **facts)
    incident = incident_services.incident_transition(
        actor=actor, incident=incident, name="contain", reason="Public access revoked and credentials rotated.")
    incident_services.risk_assessment_update(actor=actor, incident=incident, assessment={
        "ease_of_identification": "maximum", "confidentiality": "public", "integrity": "none",
        "availability": "none", "malicious": True})
    return incident_services.incident_transition(actor=actor, incident=incident, name="assess")


@pytest.fixture
def assessed_incident(responder, profile):
    """The demo incident: people in China, Singapore, Germany and California; credentials and contact data."""
    return assessed(
        responder, title="Exposed cloud database with customer account data",
        description="A misconfigured cloud database snapshot was reachable from the internet.",
        systems_affected="Customer account service",
        occurred_at=datetime(2026, 3, 25, 22, 0, tzinfo=UTC), aware_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
        affected={"CN": 1_200_000, "SG": 800, "DE": 1_500, "US-CA": 650},
        data_categories=["name", "email_address", "phone_number", "username", "password", "ip_address",
                         "device_identifier"],
    )


@pytest.fixture
def drafted(responder, assessed_incident) -> list[Notice]:
    return services.notices_draft(actor=responder, incident=assessed_incident)


@pytest.fixture
def individual_notice(drafted) -> Notice:
    return next(notice for notice in drafted if notice.audience == "individuals")


@pytest.fixture
def eu_regulator_notice(drafted) -> Notice:
    return next(notice for notice in drafted if notice.audience == "regulator" and notice.jurisdictions == ["EU"])


@pytest.fixture
def cn_regulator_notice(drafted) -> Notice:
    return next(notice for notice in drafted if notice.audience == "regulator" and notice.jurisdictions == ["CN"])


@pytest.fixture
def zenhei(settings) -> Path:
    """PDF_CJK_FONT_FILE set to the first face of WenQuanYi Zen Hei; skips where the font is not installed."""
    if not ZENHEI.is_file():
        pytest.skip(f"{ZENHEI} is missing: apt-get install fonts-wqy-zenhei (.ci/run does)")
    settings.PDF_CJK_FONT_FILE = f"{ZENHEI}#0"
    return ZENHEI


WRITTEN = {"en": "Written by the responder.", "zh-hans": "由响应人员撰写。", "de": "Vom Incident-Team verfasst."}


def complete(notice: Notice, actor) -> Notice:
    """Write the elements no fact filled (the cause, the reasons for a late report...), in every language."""
    for language in notice.languages:
        empty = [code for code, text in notice.current_version.elements[language].items() if not text.strip()]
        elements = {code: CAUSE[language] if code == "cause" else WRITTEN[language] for code in empty}
        notice = services.notice_edit(actor=actor, notice=notice, language=language, elements=elements)
    return notice_translate(notice, actor)


def approved(notice: Notice, author, approver) -> Notice:
    notice = complete(notice, author)
    notice = services.notice_transition(actor=author, notice=notice, name="submit")
    return services.notice_transition(actor=approver, notice=notice, name="approve")


@pytest.fixture
def channels_configured(settings):
    """Every channel's provider configured, for tests that create deliveries without sending them
    (sending itself is tested against the fakes); sending refuses a channel that is not."""
    settings.DEBUG = False
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC" + "0" * 32, "test-token"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.WEBPUSH_VAPID_PRIVATE_KEY = "configured-for-the-plan-only"
