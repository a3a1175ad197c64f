"""Each person's own notice: their data, their steps, local help where they live, guardians, and the code."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from notifications.models import Recipient
from notifications.notices import checks, people, rendering, services
from tests.notifications.conftest import approved, assessed


def person(incident, external_id: str, *, jurisdiction: str, data: list[str], language: str = "en",
           **contact) -> Recipient:
    recipient = Recipient(incident=incident, external_id=external_id, jurisdiction=jurisdiction, language=language,
                          data_categories=data, is_minor=contact.pop("is_minor", False))
    recipient.set_contact(**{"name": f"Person {external_id}", "email": f"{external_id}@example.org", **contact})
    recipient.save()
    return recipient


def section(text: str, heading: str, following: str) -> str:
    return text.split(f"\n{heading}\n", 1)[1].split(f"\n{following}\n", 1)[0]


@pytest.fixture
def identity_incident(responder, profile):
    return assessed(
        responder, title="Customer records exposed", description="A backup was left on a public server.",
        aware_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC), affected={"US-CA": 700, "US-NY": 300},
        data_categories=["name", "phone_number", "ssn"])


def test_a_person_with_only_a_phone_number_and_one_with_an_ssn_get_different_steps(responder, identity_incident):
    notice = services.notices_draft(actor=responder, incident=identity_incident)[0]
    phone = person(identity_incident, "p1", jurisdiction="US-NY", data=["name", "phone_number"])
    ssn = person(identity_incident, "p2", jurisdiction="US-NY", data=["name", "ssn"])
    texts = {}
    for reader in (phone, ssn):
        text = rendering.render_message(version=notice.current_version, channel="email", language="en",
                                        recipient=reader).text
        texts[reader.external_id] = (section(text, "What Information Was Involved", "What We Are Doing"),
                                     section(text, "What You Can Do", "For More Information"))
    involved, steps = texts["p1"]
    assert "Your information involved: Name, Phone number." in involved and "Social Security" not in involved
    assert "Never tell anyone a code sent to your phone" in steps
    assert "fraud alert" not in steps and "Equifax" not in steps
    involved, steps = texts["p2"]
    assert "Your information involved: Name, Social Security number." in involved
    assert "fraud alert or credit freeze" in steps and "IdentityTheft.gov" in steps and "Equifax" in steps
    assert "code sent to your phone" not in steps
    assert texts["p1"][1] != texts["p2"][1]


def test_each_person_reads_the_likely_consequences_of_their_own_data_only(responder, identity_incident):
    notice = services.notices_draft(actor=responder, incident=identity_incident)[0]
    phone = person(identity_incident, "p1", jurisdiction="US-NY", data=["name", "phone_number"])
    ssn = person(identity_incident, "p2", jurisdiction="US-NY", data=["name", "ssn"])
    involved = {
        reader.external_id: section(rendering.render_message(
            version=notice.current_version, channel="email", language="en", recipient=reader).text,
            "What Information Was Involved", "What We Are Doing")
        for reader in (phone, ssn)}
    phishing = "You may receive convincing fraudulent e-mails, messages or calls (phishing)"
    identity = "Your identity documents could be used to open accounts or obtain credit in your name."
    assert phishing in involved["p1"] and identity not in involved["p1"]
    assert identity in involved["p2"] and phishing not in involved["p2"]
    # The public page, read by nobody in particular, keeps the consequences of the incident's data.
    public = rendering.render_message(version=notice.current_version, channel="announcement", language="en",
                                      recipient=rendering.public_reader()).text
    assert phishing in public and identity in public


def test_password_advice_goes_only_to_people_whose_password_was_exposed(individual_notice, assessed_incident):
    version = individual_notice.current_version
    with_password = person(assessed_incident, "a", jurisdiction="SG", data=["email_address", "password"])
    without = person(assessed_incident, "b", jurisdiction="SG", data=["email_address"])
    text = rendering.render_message(version=version, channel="email", language="en", recipient=with_password).text
    assert "Change your password on example.com. Type the address yourself. Do not use a link in a message." in text
    text = rendering.render_message(version=version, channel="email", language="en", recipient=without).text
    assert "Change your password" not in text
    sms = rendering.render_message(version=version, channel="sms", language="en", recipient=without).text
    assert "a data breach involved your e-mail address. Read the notice." in sms


def test_local_help_follows_where_the_person_lives(individual_notice, assessed_incident):
    version = individual_notice.current_version
    data = ["name", "phone_number"]
    singapore = person(assessed_incident, "sg", jurisdiction="SG", data=data)
    china = person(assessed_incident, "cn", jurisdiction="CN", data=data, language="zh-hans")
    berlin = person(assessed_incident, "de", jurisdiction="DE", data=data)
    assert "ScamShield Helpline on 1799" in rendering.render_message(
        version=version, channel="email", language="en", recipient=singapore).text
    chinese = rendering.render_message(version=version, channel="email", language="zh-hans", recipient=china).text
    assert "全国反诈专线 96110" in chinese and "1799" not in chinese
    german_reader = rendering.render_message(version=version, channel="email", language="en", recipient=berlin).text
    assert "96110" not in german_reader and "1799" not in german_reader


def test_every_local_help_entry_names_its_source_and_status():
    for entry in people.local_help():
        assert entry.source.startswith("https://") and entry.status in ("confirmed", "secondary")
        assert entry.text("en") and entry.text("zh-hans") != entry.text("en")


def test_a_guardians_notice_names_the_guardian_as_reader(individual_notice, assessed_incident):
    child = person(assessed_incident, "kid", jurisdiction="SG", data=["name", "email_address"], is_minor=True,
                   name="Tom Tan", guardian_name="Grace Tan", guardian_email="grace@example.org")
    message = rendering.render_message(version=individual_notice.current_version, channel="email", language="en",
                                       recipient=child)
    assert "Dear Grace Tan," in message.text and "Dear Tom Tan" not in message.text
    assert "You receive this notice as the parent or guardian of Tom Tan. It is about your child's information." in (
        message.text)
    assert "Dear Grace Tan," in message.html and "parent or guardian of Tom Tan" in message.html
    assert child.contact_for("email") == "grace@example.org"


def test_an_adult_is_greeted_by_their_own_name_without_a_guardian_note(individual_notice, assessed_incident):
    adult = person(assessed_incident, "adult", jurisdiction="SG", data=["name"], name="Siti Rahman")
    text = rendering.render_message(version=individual_notice.current_version, channel="email", language="en",
                                    recipient=adult).text
    assert "Dear Siti Rahman," in text and "guardian" not in text


def test_english_typed_into_a_chinese_notice_is_untranslated_not_present(individual_notice):
    items = {item.code: item for item in checks.version_checklist(individual_notice.current_version)}
    assert items["nature"].status == "untranslated"
    problems = checks.approval_problems(individual_notice.current_version)
    assert any("Untranslated text in the Chinese What happened: the nature of the breach (nature): "
               "\"misconfigured cloud database snapshot was reachable from the internet\"" in p for p in problems)


def test_a_latin_sentence_in_a_chinese_element_refuses_approval_naming_it(individual_notice, responder, legal):
    notice = approved(individual_notice, responder, legal)
    notice = services.notice_edit(actor=responder, notice=notice, language="zh-hans", elements={
        "what_you_can_do": "如有疑问，请联系我们。Please call us if you are worried."})
    notice = services.notice_transition(actor=responder, notice=notice, name="submit")
    with pytest.raises(services.Conflict, match=r"\(what_you_can_do\): \"Please call us if you are worried\""):
        services.notice_transition(actor=legal, notice=notice, name="approve")


def test_names_urls_addresses_and_codes_may_stay_latin_in_chinese(individual_notice, responder):
    notice = services.notice_edit(actor=responder, notice=individual_notice, language="zh-hans", elements={
        "what_you_can_do": "请访问 https://www.example.com/privacy 或致函 dpo@example.com，"
                           "Example Cloud Services Pte. Ltd.，1 Example Road, Singapore 000001，编号 INC-2026-0001，IP地址。"})
    items = {item.code: item for item in checks.version_checklist(notice.current_version)}
    assert items["what_you_can_do"].status == "present"


def test_chinese_readers_in_china_read_beijing_time(individual_notice, assessed_incident):
    reader = person(assessed_incident, "bj", jurisdiction="CN", data=["name"], language="zh-hans")
    text = rendering.render_message(version=individual_notice.current_version, channel="email", language="zh-hans",
                                    recipient=reader).text
    assert "2026年3月27日 17:00（北京时间）" in text and "Asia/Shanghai" not in text


def test_the_personal_page_shows_the_code_the_messages_carry(individual_notice, assessed_incident, responder, legal):
    notice = approved(individual_notice, responder, legal)
    reader = person(assessed_incident, "v1", jurisdiction="SG", data=["name", "phone_number"], phone="+6591234567")
    sms = rendering.render_message(version=notice.current_version, channel="sms", language="en", recipient=reader)
    code = re.search(r"Code ([2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3})$", sms.text)[1]
    push = rendering.render_message(version=notice.current_version, channel="push", language="en", recipient=reader)
    assert push.text.endswith(f"Code {code}")
    page = Client().get(f"/n/{reader.personal_token}/").content.decode()
    assert f"Your code for this notice is {code}." in page
    other = person(assessed_incident, "v2", jurisdiction="SG", data=["name"])
    assert code not in rendering.render_message(version=notice.current_version, channel="sms", language="en",
                                                recipient=other).text


def test_a_link_to_another_domain_in_an_sms_refuses_approval(individual_notice, responder):
    notice = services.notice_edit(actor=responder, notice=individual_notice, language="en", elements={
        "alert": "Example Cloud: a data breach involved your [[data_short]]. Log in at https://example-login.top "
                 "We never ask for passwords or codes."})
    problems = checks.approval_problems(notice.current_version)
    assert any("links to https://example-login.top, which is not on 127.0.0.1:8000" in p for p in problems)


def test_an_sms_without_the_promise_or_the_code_refuses_approval(individual_notice, responder):
    notice = services.notice_edit(actor=responder, notice=individual_notice, language="en", elements={
        "alert": "Example Cloud: please read your notice."})
    problems = checks.approval_problems(notice.current_version)
    assert any("The sms (en) must say \"We never ask for passwords or codes\"" in p for p in problems)
    assert any("The push (en) must say" in p for p in problems)


def test_hard_english_refuses_approval_with_the_scores(individual_notice, responder):
    notice = services.notice_edit(actor=responder, notice=individual_notice, language="en", elements={
        "what_you_can_do": "Notwithstanding the aforementioned considerations, individuals experiencing "
                           "unanticipated communications purporting to originate from organisational "
                           "representatives should exercise considerable circumspection and immediately "
                           "contact the appropriate institutional authorities regarding suspicious activities, "
                           "irregularities, inconsistencies or unauthorised transactions affecting accounts."})
    problems = checks.approval_problems(notice.current_version)
    assert any(p.startswith("The English e-mail is hard to read: Flesch reading ease") for p in problems)
