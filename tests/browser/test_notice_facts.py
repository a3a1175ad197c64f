"""The facts the notices need, typed by a responder in the incident's edit page, in Chromium."""

from __future__ import annotations

from datetime import UTC, datetime

from incidents.audit import AuditEvent
from incidents.models import UserPreference
from tests.browser import test_incident_flow as flow
from tests.browser.test_incident_flow import check_page, check_phone, log_in

pytestmark = flow.pytestmark
# The Chromium fixtures of the incident flow's tests, shared.
browser, page, phone = flow.browser, flow.page, flow.phone


def test_responder_gives_the_facts_the_notices_need_and_the_edit_is_audited(live_server, page, incident):
    log_in(page, live_server.url, "rita_responder")
    page.goto(f"{live_server.url}/incidents/{incident.ref}/edit/")
    page.fill("textarea[name=cause]", "A backup bucket was made public during a migration.")
    page.fill("textarea[name=discovery]", "A researcher wrote to our security mailbox.")
    page.select_option("select[name=access_status]", "confirmed")
    page.select_option("select[name=exfiltration_status]", "suspected")
    page.fill("textarea[name=secrets_protection]", "bcrypt, cost 12, salted per password.")
    page.fill("input[name=measures-0-at]", "2026-03-27T10:15")
    page.select_option("select[name=measures-0-at_zone]", "UTC")
    page.fill("input[name=measures-0-text]", "Public access to the bucket revoked.")
    page.select_option("select[name=people_informed]", "will_inform")
    page.fill("input[name=people_informed_at]", "2026-03-29T09:00")
    page.select_option("select[name=people_informed_at_zone]", "UTC")
    check_page(page, "incident-edit-notice-facts")
    page.click("main button:has-text('Save')")
    page.wait_for_selector("text=Facts saved.")

    incident.refresh_from_db()
    assert incident.cause == "A backup bucket was made public during a migration."
    assert (incident.access_status, incident.exfiltration_status) == ("confirmed", "suspected")
    assert incident.measures == [{"at": "2026-03-27T10:15:00+00:00", "text": "Public access to the bucket revoked."}]
    assert incident.people_informed_at == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
    edit = AuditEvent.objects.filter(incident=incident, action="incident.edited").latest("seq")
    assert {"cause", "discovery", "access_status", "measures", "people_informed"} <= set(edit.payload["changes"])
    # The audit trail on the incident page reads the edit back, codes by their labels.
    trail = page.locator("main").inner_text()
    assert "Access to the data by someone unauthorised: — → Confirmed" in trail
    assert "Public access to the bucket revoked." in trail
    check_page(page, "incident-detail-notice-facts-audited")


def test_the_notice_facts_read_in_chinese_on_a_phone(live_server, phone, incident):
    UserPreference.objects.create(user=incident.created_by, language="zh-hans")
    log_in(phone, live_server.url, "rita_responder")
    phone.goto(f"{live_server.url}/incidents/{incident.ref}/edit/")
    phone.wait_for_selector("text=通知所需的事实")
    for label in ("原因", "发现方式", "未经授权的人员访问数据", "已采取的措施（各附时间）", "事件处置结束时间"):
        assert phone.locator(f"text={label}").count() >= 1, label
    check_phone(phone, "zh-hans-incident-edit-notice-facts")
