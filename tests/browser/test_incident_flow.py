"""A responder under time pressure, in a real browser: log in, open the incident, contain it.

Runs in Debian's Chromium (``/usr/bin/chromium``) driven by Playwright; skipped where no Chromium
is installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil

import pytest
from django.contrib.auth.models import Group, User
from django.db import connections

from incidents.models import Incident

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async-safety guard does not apply to them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser.new_page()
        browser.close()
        # With Playwright's loop in this thread, Django keeps the test's database connection in
        # the loop's context, where the test run's own teardown does not see it: close it here,
        # or it keeps the test database from being dropped.
        connections.close_all()


def test_responder_logs_in_creates_and_contains_an_incident(live_server, page, settings):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    responder = User.objects.create_user(username="rita", password="a-long-test-password-1")
    responder.groups.add(Group.objects.get(name="responder"))

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "rita")
    page.fill("input[name=password]", "a-long-test-password-1")
    page.click("button[type=submit]")
    page.click("text=New incident")
    page.fill("input[name=title]", "Ransomware on the file server")
    page.fill("input[name=aware_at]", "2026-03-27T10:00:00+01:00")
    page.fill("textarea[name=affected]", '{"DE": 1200}')
    page.check("input[value=name]")
    page.check("input[value=email_address]")
    page.click("text=Create incident")
    page.wait_for_selector("text=Obligations")
    assert "German supervisory authority" in page.content()

    page.fill("textarea[name=reason]", "File server isolated; backups verified clean.")
    page.click("button:has-text('Contain')")
    page.wait_for_selector("text=contain recorded")
    incident = Incident.objects.get(title="Ransomware on the file server")
    assert incident.state == "contained"
    assert incident.containment_summary == "File server isolated; backups verified clean."
