"""German for German residents and the German authority: every German notice of the demo incident, in every
channel, as its readers get it."""

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
from notifications.notices.script_check import english_leftovers, typed_clauses
from notifications.recipients.rows import row_parse
from tests.notifications.conftest import complete

PLACEHOLDER = re.compile(r"\[\[|\{\{|\{%")
GERMAN = "de"
HEADINGS = ("Was ist geschehen?", "Welche Daten sind betroffen?", "Was wir unternehmen", "Was Sie tun können",
            "Weitere Informationen")


@pytest.fixture
def demo(db):
    """The demo incident (1,500 people in Germany) with its notices drafted and completed as a translator
    would, and three readers in Germany: an adult, a child read by her mother, and one with a phone only."""
    call_command("seed_demo", stdout=io.StringIO())
    responder, legal = User.objects.get(username="responder"), User.objects.get(username="legal")
    incident = Incident.objects.get()
    notices = [complete(notice, responder) for notice in services.notices_draft(actor=responder, incident=incident)]
    readers = []
    for number, (name, categories, minor) in enumerate((
            ("Jonas Becker", list(incident.data_categories), False),
            ("Lena Schulz", ["name", "email_address", "password"], True),
            ("Murat Yılmaz", ["phone_number"], False))):
        reader = Recipient(incident=incident, external_id=f"de-{number}", jurisdiction="DE", language=GERMAN,
                           data_categories=categories, is_minor=minor)
        reader.set_contact(name=name, email=f"leser{number}@example.de", phone=f"+4915112345{number:03d}",
                           guardian_name="Anna Schulz" if minor else "",
                           guardian_email="anna.schulz@example.de" if minor else "")
        reader.save()
        readers.append(reader)
    return {"notices": notices, "readers": readers, "responder": responder, "legal": legal}


def _german(demo):
    return [notice for notice in demo["notices"] if GERMAN in notice.languages]


def _names(version) -> list[str]:
    return reader_checks._names(version)


def test_german_residents_read_german_by_default_and_the_german_authority_gets_its_report_in_german(demo):
    assert row_parse({"external_id": "1", "jurisdiction": "DE", "email": "a@example.de"}).values["language"] == "de"
    assert row_parse({"external_id": "2", "jurisdiction": "AT", "email": "b@example.at"}).values["language"] == "de"
    by_audience = {(notice.audience, tuple(notice.jurisdictions)): notice.languages for notice in demo["notices"]}
    assert by_audience[("individuals", ("CN", "EU", "SG", "US-CA"))] == ["en", "zh-hans", "de"]
    assert by_audience[("regulator", ("EU",))] == ["en", "de"]  # the German authority, under GDPR Art. 33
    assert by_audience[("regulator", ("SG",))] == ["en"]


def test_every_german_notice_renders_in_german_in_every_channel_with_nothing_left_in_english(demo):
    for notice in _german(demo):
        version = notice.current_version
        names, typed = _names(version), typed_clauses(version.facts)
        readers = demo["readers"] if notice.audience == "individuals" else [None]
        for reader in readers:
            for channel in notice.channels:
                message = rendering.render_message(version=version, channel=channel, language=GERMAN,
                                                   recipient=reader or rendering.public_reader())
                for part in (message.subject, message.text, message.html):
                    assert not PLACEHOLDER.search(part), (notice.audience, channel, part)
                text = f"{message.subject}\n{message.text}"
                assert english_leftovers(text, allowed=[*names, getattr(reader, "name", "")], typed=typed) == [], (
                    notice.audience, channel)
                if notice.audience == "individuals" and channel in ("email", "letter", "announcement"):
                    assert all(heading in message.text for heading in HEADINGS), channel
                    assert "MEZ (Europe/Berlin)" in message.text


def test_the_german_authority_reads_the_article_33_report_in_german(demo):
    notice = next(n for n in demo["notices"] if n.audience == "regulator" and n.jurisdictions == ["EU"])
    text = rendering.render_message(version=notice.current_version, channel="email", language=GERMAN).text
    assert text.startswith("Meldung einer Verletzung des Schutzes personenbezogener Daten an die Aufsichtsbehörde")
    assert "Verordnung (EU) 2016/679 (DSGVO), Art. 33 Abs. 3 und Art. 27" in text
    for heading in ("a) Art der Verletzung", "b) Datenschutzbeauftragter oder sonstige Anlaufstelle",
                    "c) Wahrscheinliche Folgen", "d) Ergriffene oder vorgeschlagene Maßnahmen",
                    "Benachrichtigung der betroffenen Personen (Art. 34)", "Vertreter in der Union (Art. 27 DSGVO)"):
        assert heading in text
    # One zone for the whole report: the Berlin authority reads Berlin time, in its body and its timeline.
    assert "Europe/Brussels" not in text and "MEZ (Europe/Berlin)" in text
    assert "Betroffen sind ungefähr 1.202.950 Personen" in text


def test_german_sms_and_push_say_what_to_do_carry_the_code_and_fit_two_segments(demo):
    notice = next(n for n in demo["notices"] if n.audience == "individuals")
    domain = rendering.link_domain()
    for reader in demo["readers"]:
        code = rendering.verification_code(notice_id=notice.pk, token=reader.personal_token)
        sms, push = (rendering.render_message(version=notice.current_version, channel=channel, language=GERMAN,
                                              recipient=reader) for channel in ("sms", "push"))
        for text in (sms.text, push.text):
            assert "Wir fragen nie nach Passwörtern oder Codes" in text and text.endswith(f"Code {code}")
        assert re.findall(r"https?://\S+", sms.text) == [reader.personal_url] and domain in reader.personal_url
        assert checks.sms_segments(sms.text).encoding == "GSM-7"
        assert checks.sms_segments(sms.text).segments <= checks.SMS_MAX_SEGMENTS
        assert push.text not in push.subject and len(push.subject) <= checks.PUSH_TITLE_MAX
    jonas, lena, murat = (rendering.render_message(version=notice.current_version, channel="email", language=GERMAN,
                                                   recipient=reader).text for reader in demo["readers"])
    assert "Ändern Sie Ihr Passwort auf example.com." in jonas
    assert "Guten Tag Anna Schulz," in lena and "als Elternteil oder erziehungsberechtigte Person von Lena Schulz" in lena
    assert "Nennen Sie niemandem einen Code" in murat and "Ändern Sie Ihr Passwort" not in murat


def test_english_typed_into_the_german_text_is_untranslated_and_refuses_approval(demo):
    notice = next(n for n in demo["notices"] if n.audience == "individuals")
    english = "During a storage migration, the access setting was changed by mistake."
    notice = services.notice_edit(actor=demo["responder"], notice=notice, language=GERMAN, elements={"cause": english})
    checklist = {item.code: item for item in checks.version_checklist(notice.current_version)}
    assert checklist["cause"].status == "untranslated" and checklist["cause"].untranslated_languages == ("de",)
    problems = checks.approval_problems(notice.current_version)
    assert any(problem.startswith("Untranslated text in the de The cause of the breach, where known (cause)")
               for problem in problems)


def test_legal_approves_the_german_notices_and_german_readers_get_their_page_and_the_announcement_in_german(demo):
    for notice in _german(demo):
        assert checks.approval_problems(notice.current_version) == [], notice.jurisdictions
        notice = services.notice_transition(actor=demo["responder"], notice=notice, name="submit")
        assert services.notice_transition(actor=demo["legal"], notice=notice, name="approve").status == "approved"
    jonas = demo["readers"][0]
    page = Client().get(f"/n/{jonas.personal_token}/").content.decode()
    assert '<html lang="de">' in page and "Guten Tag Jonas Becker," in page and "Was Sie tun können" in page
    individual = next(n for n in demo["notices"] if n.audience == "individuals")
    NoticeAnnouncement.objects.create(notice=individual, slug="datenpanne", reason="test")
    page = Client().get("/announcements/datenpanne/?lang=de").content.decode()
    assert "Was ist geschehen?" in page and "Veröffentlicht" in page and not PLACEHOLDER.search(page)
