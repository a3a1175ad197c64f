"""Responders and legal under time pressure, in a real browser, with nothing but the pages.

Runs in Debian's Chromium (``/usr/bin/chromium``) driven by Playwright; skipped where no Chromium
is installed (``.ci/run`` installs it). Every page visited is checked at a 390 px phone width (no
sideways scroll, "Log out" visible), run through axe-core (no serious or critical violation) and
saved as a screenshot under ``var/screenshots/`` (``SCREENSHOT_DIR`` to change it).
"""

from __future__ import annotations

import io
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connections

from incidents.models import Incident, UserPreference

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", django_settings.BASE_DIR / "var" / "screenshots"))

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def browser(monkeypatch, settings):
    from playwright.sync_api import sync_playwright

    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async-safety guard does not apply to them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()
        # With Playwright's loop in this thread, Django keeps the test's database connection in
        # the loop's context, where the test run's own teardown does not see it: close it here,
        # or it keeps the test database from being dropped.
        connections.close_all()


@pytest.fixture
def page(browser):
    return browser.new_page()


@pytest.fixture
def phone(browser):
    return browser.new_page(viewport={"width": 390, "height": 844})


def _user(username: str, group: str) -> User:
    user = User.objects.create_user(username=username, password=f"{username}-password-123")
    user.groups.add(Group.objects.get(name=group))
    return user


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"{username}-password-123")  # the personas' convention (conftest)
    page.click("main button[type=submit]")
    page.wait_for_selector("header form[action$='/logout/']")
    # The header is parsed before the page's load event fires; a test counting loads starts after it.
    page.wait_for_load_state("load")


def check_page(page, name: str) -> None:
    """Screenshot the page and hold it to the rules every page keeps: axe finds nothing serious or critical."""
    from axe_playwright_python.sync_playwright import Axe

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.jpg"), full_page=True, type="jpeg", quality=80)
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert not violations, [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def check_phone(page, name: str) -> None:
    """At 390 px nothing scrolls sideways and "Log out" stays on screen."""
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll_width <= client_width, f"{name}: {scroll_width}px wide in a {client_width}px window"
    logout = page.locator("header form[action$='/logout/'] button")
    if logout.count():
        box = logout.bounding_box()
        assert box and box["x"] + box["width"] <= client_width
    check_page(page, f"phone-{name}")


def test_responder_creates_an_incident_reading_the_clock_back_then_contains_it(live_server, page):
    _user("rita", "responder")
    log_in(page, live_server.url, "rita")
    check_page(page, "incident-list")
    page.click("text=New incident")
    page.fill("input[name=title]", "Ransomware on the file server")
    page.fill("input[name=aware_at]", "2026-12-06T09:30")
    page.select_option("select[name=aware_at_zone]", "Europe/Berlin")
    page.fill("input[name=affected-0-jurisdiction]", "DE")
    page.fill("input[name=affected-0-count]", "1200")
    page.click("text=Add a row")
    page.fill("input[name=affected-3-jurisdiction]", "CA-QC")
    page.fill("input[name=affected-3-count]", "40")
    page.check("input[value=name]")
    page.check("input[value=email_address]")
    check_page(page, "incident-new")
    page.click("text=Check the clock start")
    page.wait_for_selector("text=Every legal clock runs from 6 Dec 2026 09:30 CET = 08:30 UTC.")
    assert not Incident.objects.exists()
    check_page(page, "incident-new-confirm")
    page.click("button[name=confirm]")
    page.wait_for_selector("text=German supervisory authority")
    check_page(page, "incident-detail")
    incident = Incident.objects.get(title="Ransomware on the file server")
    assert incident.aware_at == datetime(2026, 12, 6, 8, 30, tzinfo=UTC)
    assert incident.affected_counts() == {"CA-QC": 40, "DE": 1200}

    page.fill("textarea[name=reason]", "File server isolated; backups verified clean.")
    page.click("button:has-text('Contain')")
    page.wait_for_selector("text=Contain recorded")
    incident.refresh_from_db()
    assert incident.state == "contained"
    assert incident.containment_summary == "File server isolated; backups verified clean."


def test_a_typed_ambiguous_date_is_refused_naming_the_field(live_server, page):
    _user("rita", "responder")
    log_in(page, live_server.url, "rita")
    page.goto(f"{live_server.url}/incidents/new/")
    page.fill("input[name=title]", "Typed date")
    # A browser without a calendar control shows a text box: type into one.
    page.eval_on_selector("input[name=aware_at]", "element => { element.type = 'text'; }")
    page.fill("input[name=aware_at]", "05/12/2026 09:30")
    page.click("text=Check the clock start")
    page.wait_for_selector("text=When you became aware: “05/12/2026 09:30” is not read")
    check_page(page, "incident-new-ambiguous-date")
    assert not Incident.objects.exists()


def test_responder_edits_a_fact_and_sees_the_deadline_move(live_server, page, incident):
    log_in(page, live_server.url, "rita_responder")
    page.goto(f"{live_server.url}/incidents/{incident.ref}/")
    page.click("text=Edit facts")
    check_page(page, "incident-edit")
    page.fill("input[name=aware_at]", "2026-03-27T12:00")
    page.select_option("select[name=aware_at_zone]", "UTC")
    page.click("main button:has-text('Save')")
    page.wait_for_selector("text=Every legal clock runs from 27 Mar 2026 12:00 UTC.")
    page.click("button[name=confirm]")
    page.wait_for_selector("text=Deadlines moved")
    assert page.locator("#rule-changes").inner_text().count("→") >= 1
    assert "facts edited: aware_at" in page.locator("#rule-changes").inner_text()
    check_page(page, "incident-detail-changes")


def test_low_risk_removes_a_duty_with_the_heuristic_label_and_legal_overrides_it(live_server, page, incident, legal):
    log_in(page, live_server.url, "rita_responder")
    page.goto(f"{live_server.url}/incidents/{incident.ref}/assessment/")
    assert page.locator("input[type=radio]:checked").count() == 0
    check_page(page, "risk-assessment")
    page.check("input[name=ease_of_identification][value=negligible]")
    page.check("input[name=confidentiality][value=limited]")
    page.check("input[name=integrity][value=none]")
    page.check("input[name=availability][value=none]")
    page.click("text=Save assessment")
    page.wait_for_selector("text=This field is required")
    page.check("input[name=malicious][value=no]")
    page.click("text=Save assessment")
    page.wait_for_selector("text=Risk assessed: Low")
    individuals = incident.obligations.get(jurisdiction="EU", audience="individuals")
    row = page.locator(f"#obligation-{individuals.pk}")
    assert "No longer required" in row.inner_text() and "product heuristic" in row.inner_text()
    check_page(page, "incident-detail-low-risk")

    page.click("header button:has-text('Log out')")
    log_in(page, live_server.url, legal.username)
    page.goto(f"{live_server.url}/incidents/{incident.ref}/assessment/#override")
    page.select_option("select[name=risk_override]", "high")
    page.fill("textarea[name=override_reason]", "Passwords were stored unsalted.")
    check_page(page, "risk-override")
    page.click("text=Record legal's decision")
    page.wait_for_selector("text=Risk level decided by legal recorded.")
    individuals.refresh_from_db()
    assert individuals.applies


def test_legal_marks_a_duty_met_late_with_the_reason_and_sees_it_in_table_and_timeline(live_server, page, incident,
                                                                                        legal):
    log_in(page, live_server.url, legal.username)
    page.goto(f"{live_server.url}/incidents/{incident.ref}/")
    gdpr = incident.obligations.get(jurisdiction="EU", audience="regulator")
    row = page.locator(f"#obligation-{gdpr.pk}")
    row.locator("summary", has_text="Mark met").click()
    row.locator(f"input[name=met-{gdpr.pk}-met_at]").fill("2026-03-31T10:00")
    row.locator(f"select[name=met-{gdpr.pk}-met_at_zone]").select_option("Europe/Berlin")
    row.locator(f"input[name=met-{gdpr.pk}-reference]").fill("BfDI-2026-4411")
    row.locator("button", has_text="Record as met").click()
    page.wait_for_selector("text=give the reasons for the delay")
    row = page.locator(f"#obligation-{gdpr.pk}")
    row.locator(f"textarea[name=met-{gdpr.pk}-reason]").fill("The processor told us late.")
    row.locator("button", has_text="Record as met").click()
    page.wait_for_selector("text=Obligation recorded as met.")
    assert "BfDI-2026-4411" in page.locator(f"#obligation-{gdpr.pk}").inner_text()
    assert "The processor told us late." in page.locator("#timeline").inner_text()
    check_page(page, "incident-detail-met")

    page.locator("#law-enforcement summary").click()
    page.fill("input[name=delay-agency]", "FBI")
    page.check("input[name=delay-form][value=written]")
    page.fill("textarea[name=delay-statement]", "Notice would impede the investigation.")
    page.fill("input[name=delay-starts_at]", "2026-03-28T00:00")
    page.fill("input[name=delay-ends_at]", "2026-04-07T00:00")
    page.click("text=Record the delay")
    page.wait_for_selector("text=Law-enforcement delay recorded")
    assert "Law-enforcement delay recorded" in page.locator("#timeline").inner_text()


def test_counsel_opens_the_trace_and_sees_what_one_fact_would_change(live_server, page, incident, legal):
    log_in(page, live_server.url, legal.username)
    page.goto(f"{live_server.url}/incidents/{incident.ref}/")
    page.click("text=Explain the decisions")
    page.wait_for_selector("text=What would change the decision")
    panel = page.locator("#decisions")
    assert "If 500 people lived in California (United States) instead of 501 (US-CA threshold: > 500)" in (
        panel.inner_text())
    assert "would no longer be required: US-CA · Regulator · California Attorney General (DOJ)" in panel.inner_text()
    trace = panel.locator("details.trace", has_text="Affected California residents").first
    assert not trace.locator("table").is_visible()
    trace.locator("summary").click()
    assert "Statutory definition of covered data" in trace.inner_text() and "1798.82(h)" in trace.inner_text()
    check_page(page, "incident-decisions")
    page.click("text=Hide the explanation")
    page.wait_for_selector("text=Explain the decisions")


def test_every_page_fits_a_phone_and_the_language_switch_sticks(live_server, phone, incident):
    log_in(phone, live_server.url, "rita_responder")
    pages = {
        "incident-list": "/", "incident-new": "/incidents/new/", "incident-detail": f"/incidents/{incident.ref}/",
        "incident-edit": f"/incidents/{incident.ref}/edit/", "risk-assessment": f"/incidents/{incident.ref}/assessment/",
        "preferences": "/preferences/", "incident-decisions": f"/incidents/{incident.ref}/?explain=1",
    }
    for name, path in pages.items():
        phone.goto(f"{live_server.url}{path}")
        check_phone(phone, name)
    phone.select_option("#header-language", "zh-hans")
    phone.click("header button:has-text('Switch')")
    phone.wait_for_selector("text=退出")
    assert UserPreference.objects.get(user__username="rita_responder").language == "zh-hans"
    for name, path in pages.items():
        phone.goto(f"{live_server.url}{path}")
        check_phone(phone, f"zh-{name}")
    phone.goto(f"{live_server.url}/accounts/login/")
    check_page(phone, "phone-login")


def test_the_notice_and_people_pages_fit_a_phone_in_both_languages(live_server, phone):
    call_command("seed_demo", stdout=io.StringIO())
    for username in ("responder", "legal", "admin"):
        user = User.objects.get(username=username)
        user.set_password(f"{username}-password-123")
        user.save()
    ref = Incident.objects.get().ref
    log_in(phone, live_server.url, "responder")
    phone.goto(f"{live_server.url}/incidents/{ref}/notices/")
    phone.click("main button:has-text('Draft notices')")
    phone.wait_for_selector("main table a")
    notice = phone.locator("main table a").first.inner_text()
    pages = {
        "notice-list": f"/incidents/{ref}/notices/", "notice-editor": f"/notices/{notice}/",
        "people": f"/incidents/{ref}/recipients/",
    }
    for language in ("en", "zh-hans"):
        phone.select_option("#header-language", language)
        phone.click("header form[action$='/language/'] button")
        phone.wait_for_load_state()
        for name, path in pages.items():
            phone.goto(f"{live_server.url}{path}")
            check_phone(phone, f"{language}-{name}")
    phone.click("header form[action$='/logout/'] button")
    log_in(phone, live_server.url, "legal")
    phone.goto(f"{live_server.url}/notices/queue/")
    check_phone(phone, "zh-hans-notice-queue")
    phone.click("header form[action$='/logout/'] button")
    log_in(phone, live_server.url, "admin")
    phone.goto(f"{live_server.url}/organisation/")
    check_phone(phone, "organisation")
