"""Content checks: required elements, SMS segments, push limits, California's literal rules."""

from __future__ import annotations

import pytest

from incidents.errors import Conflict
from notifications.notices import checks, rendering, services
from notifications.notices.checks import sms_segments
from tests.notifications.conftest import approved, complete


@pytest.mark.parametrize(("length", "segments"), [(160, 1), (161, 2), (306, 2), (307, 3)])
def test_gsm7_text_fits_160_characters_then_153_per_segment(length, segments):
    count = sms_segments("a" * length)
    assert (count.encoding, count.units, count.segments) == ("GSM-7", length, segments)


@pytest.mark.parametrize(("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_chinese_text_is_ucs2_with_70_characters_then_67_per_segment(length, segments):
    count = sms_segments("通" * length)
    assert (count.encoding, count.segments) == ("UCS-2", segments)


def test_one_non_gsm_character_turns_the_whole_message_into_ucs2():
    assert sms_segments("a" * 69 + "通").segments == 1
    assert sms_segments("a" * 70 + "通").segments == 2


def test_gsm7_extension_characters_count_twice_and_are_never_split():
    assert sms_segments("{" * 80).units == 160
    assert sms_segments("{" * 80).segments == 1
    # 152 plain septets then a two-septet character: the pair moves whole to the second part.
    assert sms_segments("a" * 152 + "€" + "a" * 8).segments == 2


def test_emoji_outside_the_basic_plane_costs_two_ucs2_units():
    assert sms_segments("😀" * 35).units == 70
    assert sms_segments("😀" * 36).segments == 2


def test_every_required_element_is_listed_with_its_source(eu_regulator_notice):
    checklist = {item.code: item for item in checks.version_checklist(eu_regulator_notice.current_version)}
    law = {"nature", "data_involved", "numbers", "contact", "consequences", "measures_taken"}
    assert set(checklist) >= law
    # Given in every language (the German copy for the German authority still holds the facts typed in
    # English, so it is "untranslated" until a translator writes them).
    assert all(checklist[code].status in ("present", "untranslated") for code in law)
    assert any("33" in source for source in checklist["numbers"].required_by)
    # No EU establishment and no representative in the profile; drafted months after its 72 hours.
    assert checklist["representative"].status == "missing"
    assert any("Art. 27" in source for source in checklist["representative"].required_by)
    assert checklist["reasons_for_delay"].status == "missing"


@pytest.mark.parametrize("code", ["nature", "data_involved", "numbers", "contact", "consequences", "measures_taken"])
def test_approval_is_refused_naming_each_missing_gdpr_element(code, eu_regulator_notice, responder, legal):
    notice = services.notice_edit(actor=responder, notice=eu_regulator_notice, language="en", elements={code: "  "})
    notice = services.notice_transition(actor=responder, notice=notice, name="submit")
    with pytest.raises(Conflict) as refused:
        services.notice_transition(actor=legal, notice=notice, name="approve")
    assert f"({code})" in str(refused.value)
    notice.refresh_from_db()
    assert notice.status == "in_review"


def test_an_individual_notice_for_china_needs_the_cause_in_both_languages(individual_notice, responder, legal):
    notice = services.notice_transition(actor=responder, notice=individual_notice, name="submit")
    with pytest.raises(Conflict, match=r"\(cause\) in en, zh-hans"):
        services.notice_transition(actor=legal, notice=notice, name="approve")


def test_californian_credit_bureaus_are_required_only_when_ssn_or_licence_was_exposed(individual_notice):
    checklist = {item.code: item for item in checks.version_checklist(individual_notice.current_version)}
    assert checklist["credit_bureaus"].status == "not_required"
    assert checklist["identity_protection_offer"].status == "not_required"
    assert checklist["law_enforcement_delay"].status == "present"


def test_california_readers_get_the_title_and_five_headings_in_every_html_rendering(individual_notice):
    for channel in ("email", "letter", "announcement"):
        for language in ("en", "zh-hans"):
            message = rendering.render_message(version=individual_notice.current_version, channel=channel,
                                              language=language, california=channel != "announcement" or None)
            assert checks.california_problems(channel, language, message) == []
            for heading in ("Notice of Data Breach", *checks.CALIFORNIA_HEADINGS):
                assert heading in message.html


def test_californias_english_headings_go_only_to_california_readers(individual_notice):
    version = individual_notice.current_version
    beijing = rendering.render_message(version=version, channel="email", language="zh-hans",
                                       recipient=rendering.SimpleNamespace(jurisdiction="CN", name="王小明"))
    los_angeles = rendering.render_message(version=version, channel="email", language="zh-hans",
                                           recipient=rendering.SimpleNamespace(jurisdiction="US-CA", name="李梅"))
    assert "发生了什么" in beijing.text and "What Happened" not in beijing.text
    assert "What Happened / 发生了什么" in los_angeles.text


def test_html_smaller_than_ten_points_is_refused_for_california():
    html = "<html><style>body { font-size: 11pt } .small { font-size: 12px }</style><body></body></html>"
    problems = checks.html_font_problems(html)
    assert len(problems) == 1 and "9.0 points" in problems[0]
    assert checks.html_font_problems("<style>body { font-size: 10pt }</style>") == []
    assert checks.html_font_problems("<style>body { color: red }</style>")


def test_a_heading_missing_from_a_california_rendering_is_named():
    message = rendering.RenderedMessage(subject="", text="Notice of Data Breach\nWhat Happened", html="")
    problems = checks.california_problems("email", "en", message)
    assert any('"For More Information"' in problem for problem in problems)


def test_an_sms_alert_too_long_for_two_segments_blocks_approval(individual_notice, responder, legal):
    notice = complete(individual_notice, responder)
    notice = services.notice_edit(actor=responder, notice=notice, language="zh-hans", elements={"alert": "通知" * 40})
    problems = checks.approval_problems(notice.current_version)
    assert any("SMS (zh-hans) needs" in problem for problem in problems)
    assert not any("SMS (en)" in problem for problem in problems)


def test_sms_and_push_say_who_writes_what_happened_in_category_words_and_what_to_do(individual_notice):
    version = individual_notice.current_version
    sms = rendering.render_message(version=version, channel="sms", language="en")
    push = rendering.render_message(version=version, channel="push", language="en")
    assert sms.text == ("Example Cloud Services Pte. Ltd.: a data breach involved your [[data_short]]. [[action_short]] "
                        "We never ask for passwords or codes. [[link]] Code [[code]]")
    assert "snapshot" not in push.text.lower() and push.text not in push.subject
    assert len(push.subject) <= checks.PUSH_TITLE_MAX and len(push.text) <= checks.PUSH_BODY_MAX


def test_a_push_body_over_240_characters_is_refused(individual_notice, responder):
    notice = services.notice_edit(actor=responder, notice=individual_notice, language="en", elements={"alert": "x" * 241})
    assert any("Push body (en) has 254 characters" in p for p in checks.approval_problems(notice.current_version))


def test_an_sms_template_without_the_link_is_refused(individual_notice, settings, tmp_path):
    override = tmp_path / "notices" / "individuals" / "SG"
    override.mkdir(parents=True)
    (override / "sms.txt").write_text("{{ alert }}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    problems = checks.approval_problems(individual_notice.current_version)
    assert any("must carry the person's link" in problem for problem in problems)


def test_every_email_has_a_plain_text_part(individual_notice):
    for language in individual_notice.languages:
        message = rendering.render_message(version=individual_notice.current_version, channel="email", language=language)
        assert message.text.strip() and message.html.strip()


def test_a_complete_notice_passes_every_check(individual_notice, responder, legal):
    notice = approved(individual_notice, responder, legal)
    assert notice.status == "approved"
