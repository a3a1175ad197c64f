"""The main pages under the Content-Security-Policy in Chromium: nothing is refused (no inline script or
style, no eval), and what runs on them still runs: htmx's refreshes, the notice editor's live preview,
the incident form's extra rows, Swagger UI."""

from __future__ import annotations

import pytest

from notifications.delivery import announcements, sending
from tests.browser.test_incident_flow import log_in
from tests.browser.test_incident_flow import pytestmark as browser_marks
from tests.notifications.delivery_helpers import approved_notice, people, person

pytestmark = browser_marks

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def watched(page):
    """The page, and every console error or securitypolicyviolation event it reports (any frame)."""
    errors: list[str] = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page, errors


@pytest.fixture
def sending_notice(settings, tmp_path, legal, incident):
    """A notice being sent to two people (the development outbox holds its messages) and one person no
    channel reaches, so its announcement is published; and a second notice, approved, still editable."""
    settings.DEBUG = True
    settings.DEV_OUTBOX_CHANNELS = ["email", "sms", "push"]
    settings.DEV_OUTBOX_FILE = tmp_path / "outbox.jsonl"
    notice = approved_notice(incident)
    reached = people(incident, 2)
    person(incident, "nobody").save()
    sending.notice_send(actor=legal, notice=notice)
    notice.refresh_from_db()
    announcement = announcements.notice_announcement_publish(actor=legal, notice=notice)
    return notice, reached[0], announcement, approved_notice(incident)


def test_the_pages_report_no_violation_and_their_scripts_still_work(live_server, watched, legal, sending_notice):
    page, errors = watched
    notice, reader, announcement, editable = sending_notice
    base = live_server.url
    log_in(page, base, legal.username)

    page.goto(f"{base}/")
    page.wait_for_function("() => window.htmx !== undefined")
    with page.expect_response(lambda response: response.request.headers.get("hx-request") == "true"):
        page.evaluate("htmx.trigger('#live', 'poll')")
    page.wait_for_selector("#live .counters")

    page.goto(f"{base}/incidents/{notice.incident.ref}/")
    page.goto(f"{base}/incidents/{notice.incident.ref}/edit/")
    rows = page.locator("#affected-rows tbody tr").count()
    page.click("#affected-add-row")
    assert page.locator("#affected-rows tbody tr").count() == rows + 1

    page.goto(f"{base}/notices/{notice.pk}/delivery/")
    with page.expect_response(lambda response: "/delivery/progress/" in response.url, timeout=10_000):
        pass
    page.wait_for_selector("#delivery-progress progress")

    page.goto(f"{base}/notices/{editable.pk}/")
    preview = page.locator(".live-preview").first
    page.wait_for_function("() => document.querySelector('.live-preview').srcdoc.length > 0")
    page.locator(".element-form textarea").first.fill("Typed in the browser.")
    page.wait_for_function(
        "() => document.querySelector('.live-preview').srcdoc.indexOf('Typed in the browser.') >= 0")
    assert preview.is_visible()

    page.goto(f"{base}/n/{reader.personal_token}/")
    page.wait_for_selector("main .notice")
    page.goto(f"{base}/announcements/{announcement.slug}/")
    page.wait_for_selector(".notice")

    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    assert errors == []


def test_the_login_page_reports_no_violation(live_server, watched):
    page, errors = watched
    response = page.goto(f"{live_server.url}/accounts/login/")
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert page.locator("main .card.narrow").count() == 1
    assert errors == []
