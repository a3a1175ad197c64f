"""Every notice to individuals of the demo incident, in every channel and language, as its readers get it."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from incidents.models import Incident
from notifications.models import NoticeAnnouncement, Recipient
from notifications.notices import checks, reader_checks, rendering, services
from notifications.notices.script_check import latin_leftovers
from tests.notifications.conftest import complete

# A reader in each place the demo incident's people live, in the language they read.
READERS = (("CN", "zh-hans", "王小明"), ("SG", "en", "Siti Rahman"), ("SG", "zh-hans", "陈美玲"),
           ("DE", "en", "Jonas Becker"), ("US-CA", "en", "Maria Lopez"), ("US-CA", "zh-hans", "李梅"))
PLACEHOLDER = re.compile(r"\[\[|\{\{|\{%")


@pytest.fixture
def demo(db):
    """The demo incident with its notices drafted, the facts no one typed in Chinese translated, and its people."""
    call_command("seed_demo", stdout=io.StringIO())
    responder, legal = User.objects.get(username="responder"), User.objects.get(username="legal")
    incident = Incident.objects.get()
    notices = [complete(notice, responder) for notice in services.notices_draft(actor=responder, incident=incident)
               if notice.audience == "individuals"]
    readers = []
    for number, (place, language, name) in enumerate(READERS):
        reader = Recipient(incident=incident, external_id=f"demo-{number}", jurisdiction=place, language=language,
                           data_categories=list(incident.data_categories))
        reader.set_contact(name=name, email=f"reader{number}@example.org", phone="+6591234567")
        reader.save()
        readers.append(reader)
    return {"notices": notices, "readers": readers, "responder": responder, "legal": legal}


def test_every_individual_notice_renders_without_placeholders_and_in_chinese_when_chinese(demo):
    assert demo["notices"]
    for notice in demo["notices"]:
        version = notice.current_version
        names = reader_checks._names(version)
        for reader in demo["readers"]:
            for channel in notice.channels:
                message = rendering.render_message(version=version, channel=channel, language=reader.language,
                                                   recipient=reader)
                for part in (message.subject, message.text, message.html):
                    assert not PLACEHOLDER.search(part), (channel, reader.language, part)
                if reader.language == "zh-hans":
                    text = f"{message.subject}\n{message.text}"
                    assert latin_leftovers(text, allowed=[*names, reader.name]) == [], (channel, reader.jurisdiction)


def test_sms_and_push_say_what_to_do_carry_the_code_and_link_only_to_our_domain(demo):
    domain = rendering.link_domain()
    for notice in demo["notices"]:
        version = notice.current_version
        for reader in demo["readers"]:
            code = rendering.verification_code(notice_id=notice.pk, token=reader.personal_token)
            sms = rendering.render_message(version=version, channel="sms", language=reader.language, recipient=reader)
            push = rendering.render_message(version=version, channel="push", language=reader.language,
                                            recipient=reader)
            promise = reader_checks.NEVER_ASK[reader.language]
            for text in (sms.text, push.text):
                assert promise in text and text.endswith(code)
            assert {"en": "Change your password at example.com.", "zh-hans": "请在example.com修改密码。"}[
                reader.language] in sms.text
            links = re.findall(r"https?://\S+", sms.text)
            assert links == [reader.personal_url] and all(domain in link for link in links)
            assert checks.sms_segments(sms.text).segments <= checks.SMS_MAX_SEGMENTS
            assert push.text not in push.subject


def test_english_notices_are_plain_enough_to_read(demo):
    for notice in demo["notices"]:
        for reader in demo["readers"]:
            if reader.language != "en":
                continue
            text = rendering.render_message(version=notice.current_version, channel="email", language="en",
                                            recipient=reader).text
            score, words = reader_checks.readability(text)
            assert score >= reader_checks.MIN_FLESCH and words < reader_checks.MAX_WORDS_PER_SENTENCE, (
                reader.jurisdiction, score, words)


def test_the_public_announcement_page_has_no_placeholder_in_any_language(demo):
    notice = demo["notices"][0]
    NoticeAnnouncement.objects.create(notice=notice, slug="demo-page", reason="test")
    for language in notice.languages:
        page = Client().get(f"/announcements/demo-page/?lang={language}").content.decode()
        assert not PLACEHOLDER.search(page)
        assert any(said in page for said in (
            "The incident took place on or about", "事件大约发生于", "Der Vorfall ereignete sich am oder um den"))


def test_the_demo_notices_pass_every_check_and_legal_approves_them(demo):
    for notice in demo["notices"]:
        assert checks.approval_problems(notice.current_version) == []
        notice = services.notice_transition(actor=demo["responder"], notice=notice, name="submit")
        assert services.notice_transition(actor=demo["legal"], notice=notice, name="approve").status == "approved"
