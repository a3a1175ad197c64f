"""Legal reads the table of facts before approving a notice to individuals, in Chromium."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from incidents.models import OrganisationProfile
from notifications.models import Notice
from notifications.notices import services
from tests.browser.test_incident_flow import CHROMIUM, check_page, check_phone, log_in
from tests.notifications.conftest import PROFILE, assessed, complete

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


def notice_in_review(responder, *, chinese_dates: str = ""):
    OrganisationProfile.objects.create(**PROFILE)
    incident = assessed(
        responder, title="Exposed cloud database", description="A misconfigured cloud database snapshot was "
        "reachable from the internet.", systems_affected="Customer account service",
        occurred_at=datetime(2026, 3, 25, 22, 0, tzinfo=UTC), aware_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
        affected={"CN": 1_200, "SG": 800}, data_categories=["name", "phone_number", "password"])
    notice = next(n for n in services.notices_draft(actor=responder, incident=incident) if n.audience == "individuals")
    notice = complete(notice, responder)
    if chinese_dates:
        notice = services.notice_edit(actor=responder, notice=notice, language="zh-hans",
                                      elements={"dates": chinese_dates})
    return services.notice_transition(actor=responder, notice=notice, name="submit")


def test_legal_sees_the_facts_table_and_approves_an_agreeing_notice(live_server, page, responder, legal):
    notice = notice_in_review(responder)
    log_in(page, live_server.url, legal.username)
    page.goto(f"{live_server.url}/notices/{notice.pk}/")
    table = page.locator("#facts-table")
    assert "Data category: Password" in table.inner_text() and "sms · zh-hans" in table.inner_text()
    assert "Every channel and language agrees." in table.inner_text()
    check_page(page, "notice-facts-table")
    page.click("form[action$='/transitions/approve/'] button")
    assert "approve recorded" in page.locator("main").inner_text()


def test_a_chinese_date_the_english_lacks_refuses_approval_in_the_page(live_server, page, phone, responder, legal):
    notice = notice_in_review(responder, chinese_dates="事件大约发生于2026年3月20日。我们于[[aware_at]]发现了该事件。")
    log_in(page, live_server.url, legal.username)
    page.goto(f"{live_server.url}/notices/{notice.pk}/")
    assert "The email says 2026-03-20 in zh-hans but not in en." in page.locator("#facts-table").inner_text()
    page.click("form[action$='/transitions/approve/'] button")
    main = page.locator("main").inner_text()
    assert "Approval refused" in main and "2026-03-20" in main
    notice.refresh_from_db()
    assert notice.status == "in_review"
    log_in(phone, live_server.url, legal.username)
    phone.goto(f"{live_server.url}/notices/{notice.pk}/")
    check_phone(phone, "notice-facts-table")


def test_a_chinese_report_with_a_count_its_english_lacks_or_english_text_is_refused_in_the_page(
        live_server, page, responder, legal):
    notice_in_review(responder)
    report = next(n for n in Notice.objects.filter(audience="regulator") if n.jurisdictions == ["CN"])
    report = complete(report, responder)
    report = services.notice_edit(actor=responder, notice=report, language="zh-hans", elements={
        "numbers": "约 1,300 人受到影响，涉及约 1,300 条记录。", "cause": "An engineer made the snapshot public."})
    report = services.notice_transition(actor=responder, notice=report, name="submit")
    log_in(page, live_server.url, legal.username)
    page.goto(f"{live_server.url}/notices/{report.pk}/")
    table = page.locator("#facts-table").inner_text()
    assert "letter · zh-hans" in table and "The letter says 1,300 in zh-hans but not in en." in table
    check_page(page, "regulator-facts-table")
    # The checklist says which language still holds English.
    assert "untranslated (zh-hans)" in page.locator("main").inner_text()
    page.click("form[action$='/transitions/approve/'] button")
    main = page.locator("main").inner_text()
    assert "Approval refused" in main and "Untranslated text in the Chinese" in main and "(cause)" in main
    report.refresh_from_db()
    assert report.status == "in_review"
