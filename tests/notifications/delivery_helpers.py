"""Builders shared by the delivery tests: an approved notice and affected people."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import timezone

from notifications.models import Notice, NoticeVersion, Recipient
from notifications.notices import drafting, rendering
from notifications.notices.requirements import drafted_codes, element_requirements


def approved_notice(incident, *, channels=("email", "sms", "push"), languages=("en",), jurisdictions=()) -> Notice:
    """A notice to individuals in the state legal's approval leaves it: approved, with the hash of
    what its version renders to (the approval workflow itself is tested with the notices)."""
    author = User.objects.get_or_create(username="nora_notice_author")[0]
    facts = drafting.incident_snapshot(incident, [])
    requirements = element_requirements(audience="individuals", obligations=[], facts=facts)
    notice = Notice.objects.create(
        incident=incident, audience="individuals", jurisdictions=list(jurisdictions), languages=list(languages),
        channels=list(channels), created_by=author, status="approved",
    )
    version = NoticeVersion.objects.create(
        notice=notice, number=1, author=author, facts=facts,
        elements=drafting.draft_elements(
            facts=facts, codes=drafted_codes(audience="individuals", requirements=requirements), languages=list(languages)
        ),
    )
    version.content_sha256 = rendering.version_content_sha256(version)
    version.approved_by, version.approved_at = author, timezone.now()
    version.save()
    return notice


def person(incident, external_id: str, *, jurisdiction: str = "US-CA", language: str = "en", is_minor=False,
           **contact) -> Recipient:
    recipient = Recipient(
        incident=incident, external_id=external_id, jurisdiction=jurisdiction, language=language, is_minor=is_minor
    )
    recipient.set_contact(name=contact.pop("name", f"Person {external_id}"), **contact)
    return recipient


def people(incident, count: int, *, prefix: str = "p", **overrides) -> list[Recipient]:
    """``count`` people with an e-mail, a phone and an FCM token each (``overrides`` replace or, with None,
    remove one for everybody), saved in one statement."""
    rows = []
    for index in range(count):
        contact = {
            "email": f"{prefix}{index}@example.org", "phone": f"+1415555{index:04d}", "fcm_token": f"token-{prefix}{index}",
            **overrides,
        }
        rows.append(person(incident, f"{prefix}{index}", **{key: value for key, value in contact.items() if value}))
    return Recipient.objects.bulk_create(rows)
