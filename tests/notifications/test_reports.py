"""Regulator documents: each law's own report where the law or the authority defines it, from the demo incident."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone, translation
from pypdf import PdfReader

from incidents import services as incident_services
from incidents.models import Incident
from incidents.rules.loader import load_rules
from incidents.rules.schema import REPORTS
from notifications.notices import checks, rendering, reports, services
from notifications.notices.pdf import notice_pdf
from notifications.notices.reader_checks import _names, version_facts_table
from notifications.notices.requirements import element_requirements
from notifications.notices.script_check import latin_leftovers
from tests.notifications.conftest import complete

ZENHEI = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@pytest.fixture
def seeded(db) -> Incident:
    """The demo incident of ``seed_demo``."""
    call_command("seed_demo", stdout=io.StringIO())
    return Incident.objects.get()


@pytest.fixture
def demo(seeded) -> Incident:
    """The demo incident with its notices drafted by the responder."""
    services.notices_draft(actor=User.objects.get(username="responder"), incident=seeded)
    return seeded


def regulator_notices(incident):
    return [notice for notice in incident.notices.all() if notice.audience == "regulator"]


def notice_for(incident, rule_code: str):
    return incident.notices.get(obligations__details__rule_code=rule_code)


def rendered(notice, language: str) -> str:
    """The letter as the authority reads it (the reader's values filled in)."""
    reader = rendering.sample_recipient(notice, language)
    return rendering.render_message(version=notice.current_version, channel="letter", language=language,
                                    recipient=reader).text


def flat(text: str) -> str:
    return " ".join(text.split())


def test_every_report_a_rule_file_may_name_has_a_builder_and_every_builder_is_named():
    assert set(reports.BUILDERS) == set(REPORTS)
    named = {duty.report for rule in load_rules() for duty in rule.duties if duty.report}
    assert named == set(REPORTS)


def test_every_regulator_document_of_the_demo_carries_its_laws_elements_and_no_placeholder(demo):
    notices = regulator_notices(demo)
    # California's sample copy waits for the residents' notice (its own test below).
    assert {code for notice in notices for code in notice.jurisdictions} >= {"CN", "CN-CAC", "EU", "SG"}
    for notice in notices:
        version = notice.current_version
        reader = rendering.sample_recipient(notice, "en")
        for channel in notice.channels:
            for language in notice.languages:
                message = rendering.render_message(version=version, channel=channel, language=language,
                                                   recipient=reader)
                for part in (message.subject, message.text, message.html):
                    assert "[[" not in part and "{{" not in part, (notice.jurisdictions, channel, language)
        requirements = element_requirements(
            audience="regulator", obligations=[("", list(o.content)) for o in notice.obligations.all()],
            facts=version.facts)
        for requirement in (req for req in requirements if req.applies):
            for language in notice.languages:
                text = version.text(language, requirement.code)
                assert text.strip(), (notice.jurisdictions, requirement.code, language)
                with translation.override(language):
                    values = rendering.personal_values(version, reader)
                assert flat(rendering.personalise(text, values, html=False))[:40] in flat(rendered(notice, language))
        assert not [problem for problem in checks.missing_element_problems(version)
                    if problem.startswith("Missing element")], notice.jurisdictions


def test_the_cac_initial_report_carries_the_measures_items_and_the_grade(demo):
    text = rendered(notice_for(demo, "CN-CAC:report"), "zh-hans")
    assert text.startswith("网络安全事件报告（初次报告）\n国家网络安全事件报告管理办法 第四条、第七条")
    for item in ("一、事件发生单位名称", "二、事件发现或发生的时间", "三、事件原因的初步分析", "四、事件发展趋势",
                 "五、调查溯源线索", "六、拟进一步采取的应对措施及需要的支持", "七、事件现场保护情况"):
        assert item in text
    assert "较大网络安全事件：泄露了中国境内 1,200,000 人的个人信息（达到 1,000,000 以上" in text
    assert "个人数据泄露报告" not in text


def test_the_cac_closing_report_waits_for_the_end_of_handling_and_differs_from_the_initial_report(demo):
    assert not demo.notices.filter(obligations__details__rule_code="CN-CAC:closing_report").exists()
    responder = User.objects.get(username="responder")
    incident_services.incident_update(
        actor=responder, incident=demo, handling_closed_at=timezone.now(),
        accountability="The engineer's team lead and the platform owner reviewed the change process.",
        rectification="Snapshot sharing now needs a second person's approval.",
        lessons="A storage migration changes access settings: check them before and after.")
    services.notices_draft(actor=responder, incident=demo)

    closing = rendered(notice_for(demo, "CN-CAC:closing_report"), "zh-hans")
    initial = rendered(notice_for(demo, "CN-CAC:report"), "zh-hans")
    assert closing.startswith("网络安全事件总结报告\n国家网络安全事件报告管理办法 第八条")
    for item in ("一、事件原因分析", "二、已采取的应对措施", "三、造成的危害", "四、责任处理情况", "五、整改情况",
                 "六、经验教训"):
        assert item in closing
    assert "Snapshot sharing now needs a second person's approval." in closing
    assert "七、事件现场保护情况" not in closing and "五、整改情况" not in initial
    assert closing != initial


def test_the_california_attorney_general_receives_the_sample_copy_of_the_residents_notice(demo):
    # The sample copy waits for its clock: the residents are told first.
    assert not demo.notices.filter(obligations__details__rule_code="US-CA:attorney_general").exists()
    responder = User.objects.get(username="responder")
    incident_services.incident_update(actor=responder, incident=demo, individual_notice_sent_at=timezone.now())
    services.notices_draft(actor=responder, incident=demo)

    text = rendered(notice_for(demo, "US-CA:attorney_general"), "en")
    assert text.startswith("Notice of Data Breach\nSample copy of the notice sent to California residents, with "
                           "every resident's personal information removed (Cal. Civ. Code 1798.82(f)).")
    headings = [heading for heading in checks.CALIFORNIA_HEADINGS if f"\n{heading}\n" in text]
    assert headings == list(checks.CALIFORNIA_HEADINGS)
    assert "Change your password" in text and "took place on or about" in text
    # The residents' notice, not a report of every country's counts; and nobody's name or link.
    assert "1,200,000" not in text and "Dear" not in text and "/n/" not in text


def test_a_report_drafted_after_its_deadline_needs_the_reasons_for_the_delay(demo):
    notice = notice_for(demo, "SG:pdpc")
    checklist = {item.code: item.status for item in checks.version_checklist(notice.current_version)}
    assert "reasons_for_delay" not in checklist

    due = notice.obligations.get().due_at
    with time_machine.travel(due + timedelta(minutes=1)):
        checklist = {item.code: item for item in checks.version_checklist(notice.current_version)}
        assert checklist["reasons_for_delay"].status == "missing"
        assert any("reasons for the delay" in source for source in checklist["reasons_for_delay"].required_by)


def test_a_fact_not_yet_given_is_a_missing_element_until_it_is(seeded):
    responder = User.objects.get(username="responder")
    incident_services.incident_update(actor=responder, incident=seeded, discovery="", measures=[])
    services.notices_draft(actor=responder, incident=seeded)
    notice = notice_for(seeded, "SG:pdpc")
    missing = " ".join(checks.missing_element_problems(notice.current_version))
    assert "(discovery)" in missing and "(timeline)" in missing
    services.notice_edit(actor=responder, notice=notice, language="en", elements={
        "discovery": "A researcher wrote to us.", "timeline": "- Snapshot closed."})
    notice.forget_current_version()
    assert not checks.missing_element_problems(notice.current_version)


def test_chinese_reports_are_in_chinese_agree_with_their_english_and_pass_every_check_once_translated(demo):
    responder = User.objects.get(username="responder")
    for notice in regulator_notices(demo):
        notice = complete(notice, responder)
        version = notice.current_version
        assert checks.approval_problems(version) == [], notice.jurisdictions
        if "zh-hans" in notice.languages:
            text = rendered(notice, "zh-hans")
            assert latin_leftovers(text, allowed=_names(version)) == [], notice.jurisdictions
            # The facts table is built from the authority's document in each of its languages too.
            table = version_facts_table(version)
            assert {row.kind for row in table.rows} >= {"count", "date", "category"} and table.problems == []


def test_english_left_in_a_chinese_report_is_untranslated_and_refuses_approval_naming_the_element(demo):
    responder = User.objects.get(username="responder")
    notice = complete(notice_for(demo, "CN-CAC:report"), responder)
    notice = services.notice_edit(actor=responder, notice=notice, language="zh-hans", elements={
        "attacker_leads": "The access logs show downloads from two IP addresses."})
    checklist = {item.code: item for item in checks.version_checklist(notice.current_version)}
    assert checklist["attacker_leads"].status == "untranslated"
    problems = checks.approval_problems(notice.current_version)
    assert any("(attacker_leads)" in problem and "Write it in Chinese" in problem for problem in problems)


def test_a_chinese_report_whose_count_differs_from_its_english_is_refused(demo):
    responder = User.objects.get(username="responder")
    notice = complete(notice_for(demo, "CN:authorities"), responder)
    notice = services.notice_edit(actor=responder, notice=notice, language="zh-hans", elements={
        "numbers": "约 1,300,000 人受到影响，涉及约 1,300,000 条记录。"})
    problems = checks.approval_problems(notice.current_version)
    assert "The letter says 1,300,000 in zh-hans but not in en." in problems


@pytest.mark.skipif(not ZENHEI.is_file(), reason=f"{ZENHEI} is missing (.ci/run installs fonts-wqy-zenhei)")
def test_regulator_pdfs_embed_the_chinese_font_by_default(demo, settings):
    assert str(ZENHEI) == settings.PDF_CJK_FONT_FILE
    data = notice_pdf(version=notice_for(demo, "CN-CAC:report").current_version, language="zh-hans")
    reader = PdfReader(io.BytesIO(data))
    embedded = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            if descriptor and descriptor.get_object().get("/FontFile2"):
                embedded.append(str(font["/BaseFont"]))
    assert any("WenQuanYiZenHei" in name for name in embedded)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "网络安全事件报告（初次报告）" in text and "INC-" in text
