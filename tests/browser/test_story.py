"""The whole story of one incident, from its creation to ``closed``, with nothing but the pages.

A responder, two legal approvers and an admin do every step in Chromium: no API call and no admin page
(the users and the organisation profile are set up through the ORM, as ``seed_demo`` does). Sending goes
through a real Celery worker to the development outbox (DEBUG on, no provider configured). Every page the
story visits is checked at a desktop width and again at a 390 px phone width: screenshotted under
``var/screenshots/story-*`` and ``phone-story-*`` (``SCREENSHOT_DIR`` to change it), run through axe-core
at both widths (no serious or critical violation) and, on the phone, checked for sideways scrolling. The
README's "First steps" follow the same steps.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import Group, User
from django.db import connections
from django.db.backends.signals import connection_created
from django.utils import timezone

from config.celery import app as celery_app
from incidents.models import Incident, OrganisationProfile
from notifications.channels.outbox import outbox_messages
from notifications.models import Notice
from tests.browser import test_incident_flow as flow
from tests.browser.test_incident_flow import check_page, check_phone
from tests.notifications import test_sending_pages as sending_pages
from tests.notifications.conftest import PROFILE

pytestmark = flow.pytestmark
# The Chromium fixture of the browser tests and the development outbox of the sending tests, shared.
browser, outbox = flow.browser, sending_pages.outbox

BERLIN = ZoneInfo("Europe/Berlin")
PEOPLE_CSV = (
    "external_id,jurisdiction,name,email,phone,fcm_token,language\n"
    "c-1,DE,Anna Becker,anna@example.org,+4915112345671,token-anna,en\n"
    "c-2,DE,Jonas Wolf,jonas@example.org,+4915112345672,token-jonas,en\n"
    "c-3,DE,Li Wei,li.wei@example.org,+4915112345673,token-li,zh-hans\n"
)
# What the responder writes in Chinese for the elements the drafts left in English.
# The alert names the organisation by a short Chinese name: the Latin legal name leaves no room in two SMS parts.
CHINESE = {
    "nature": "攻击者通过钓鱼邮件获取了一名管理员的账户，并读取了客户数据库，其中有每位客户的姓名、电子邮件地址和密码哈希。",
    "measures_taken": "已撤销该管理员的所有会话，并已封锁钓鱼网站。",
    "contact": "如有疑问，请致电客服中心 +1 800 555 0100（周一至周五 9:00 至 18:00）。",
    "alert": "示例云：数据泄露涉及您的[[data_short]]。[[action_short]]我们绝不会索要密码或验证码。",
}
# The report to the German authority is written in German too.
GERMAN = {
    "nature": "Ein Angreifer hat durch Phishing das Konto eines Administrators übernommen und die Kundendatenbank "
              "gelesen.",
    "measures_taken": "Die Sitzungen des Administrators wurden beendet und die Phishing-Seite wurde gesperrt.",
    "contact": "Unser Kundendienst ist unter +1 800 555 0100 erreichbar, montags bis freitags von 9 bis 18 Uhr.",
}
CONTAINMENT = "Administrator sessions revoked and the phishing site blocked."


@pytest.fixture
def cast(db):
    """The people of the story (passwords by the personas' convention) and the organisation profile."""
    OrganisationProfile.objects.create(
        **PROFILE, time_zone="Europe/Berlin",
        eu_representative="Example Cloud EU Representative GmbH, 1 Musterstrasse, 10115 Berlin",
    )
    for username, group in (("rita", "responder"), ("leo", "legal"), ("lena", "legal"), ("ada", "admin")):
        user = User.objects.create_user(username=username, password=f"{username}-password-123",
                                        is_staff=username == "ada")
        user.groups.add(Group.objects.get(name=group))


def _read_uncommitted(connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA read_uncommitted = 1")


@pytest.fixture
def worker(live_server, settings, monkeypatch):
    """A real Celery worker on an in-memory broker, in this process, reading the test's database.

    The test database is SQLite in memory, shared between the threads of this process (the live
    server's, the worker's). In SQLite's shared cache a reader locks the tables it reads, so a page
    polling the progress would make the worker's writes fail: readers here read without locks.
    """
    settings.BREACHLINE_BASE_URL = live_server.url
    monkeypatch.setattr(celery_app.conf, "broker_url", "memory://")
    connection_created.connect(_read_uncommitted, weak=False)
    _read_uncommitted(connections["default"])
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        connection_created.disconnect(_read_uncommitted)


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


class Story:
    """One person's browser tab, checking every page it visits at a desktop width and at a phone's."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base

    def check(self, name: str) -> None:
        self.page.wait_for_load_state()
        check_page(self.page, f"story-{name}")
        self.page.set_viewport_size(PHONE)
        try:
            check_phone(self.page, f"story-{name}")
        finally:
            self.page.set_viewport_size(DESKTOP)

    def log_in(self, username: str) -> None:
        page = self.page
        if page.locator("header form[action$='/logout/'] button").count():
            page.click("header form[action$='/logout/'] button")
        page.goto(f"{self.base}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", f"{username}-password-123")
        page.click("main button[type=submit]")
        page.wait_for_selector("header form[action$='/logout/']")

    def text(self, selector: str = "main") -> str:
        return self.page.locator(selector).inner_text()


def test_one_incident_from_creation_to_closed_in_the_browser(live_server, browser, cast, outbox, worker):
    story = Story(browser.new_page(viewport=DESKTOP), live_server.url)
    page = story.page
    aware = timezone.now().astimezone(BERLIN).replace(second=0, microsecond=0) - timedelta(hours=1)

    # 1. The responder logs in and creates the incident, its awareness time given in Berlin time.
    story.log_in("rita")
    story.check("dashboard")
    page.goto(f"{live_server.url}/incidents/")
    story.check("incident-list")
    page.click("text=New incident")
    page.fill("input[name=title]", "Phished administrator account")
    page.fill("textarea[name=description]", "An attacker phished an administrator and read the customer database with each "
              "customer's name, e-mail address and password hash.")
    page.fill("input[name=aware_at]", aware.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("select[name=aware_at_zone]", "Europe/Berlin")
    page.fill("input[name=affected-0-jurisdiction]", "DE")
    page.fill("input[name=affected-0-count]", "3")
    for category in ("name", "email_address", "password"):
        page.check(f"input[value={category}]")
    page.select_option("select[name=incident_type]", label="Unauthorised access")
    story.check("incident-new")
    page.click("text=Check the clock start")
    page.wait_for_selector("text=Every legal clock runs from")
    utc = aware.astimezone(ZoneInfo("UTC"))
    # The UTC side names its day only when it differs from Berlin's (an hour after midnight there).
    shown_utc = f"{utc:%H:%M}" if utc.date() == aware.date() else f"{utc:%-d %b %Y %H:%M}"
    assert f"{aware:%-d %b %Y %H:%M} {aware.tzname()} = {shown_utc} UTC." in story.text()
    story.check("incident-new-confirm")
    page.click("button[name=confirm]")
    page.wait_for_selector("text=German supervisory authority")
    story.check("incident-detail")
    incident = Incident.objects.get(title="Phished administrator account")
    assert incident.aware_at == aware
    regulator_duty = incident.obligations.get(audience="regulator", applies=True)
    first_due = regulator_duty.due_at

    # 2. A fact was wrong: awareness came half an hour earlier. The GDPR deadline moves with it.
    page.click("text=Edit facts")
    story.check("incident-edit")
    page.fill("input[name=aware_at]", (aware - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("select[name=aware_at_zone]", "Europe/Berlin")
    page.click("main button:has-text('Save')")
    page.wait_for_selector("text=Every legal clock runs from")
    story.check("incident-edit-confirm")
    page.click("button[name=confirm]")
    page.wait_for_selector("text=Deadlines moved")
    assert "→" in story.text("#rule-changes")
    story.check("incident-detail-deadline-moved")
    regulator_duty.refresh_from_db()
    assert regulator_duty.due_at == first_due - timedelta(minutes=30)

    # 3. Contain: refused while the emergency plan has open items; done or waived, then contained.
    page.fill("textarea[name=reason]", CONTAINMENT)
    page.click("button:has-text('Contain')")
    page.wait_for_selector("text=Emergency plan")
    assert Incident.objects.get(pk=incident.pk).state == "detected"
    story.check("incident-contain-refused")
    page.click("main a:text-is('Emergency plan')")
    page.wait_for_selector("#checklist")
    story.check("checklist")
    first = page.locator("#checklist tbody tr.item-open").first
    first.locator("summary", has_text="Waive").click()
    first.locator("input[name$='-reason']").fill("No outside forensics needed: the attacker's access is fully logged.")
    first.locator("button", has_text="Waive").click()
    page.wait_for_selector("#checklist")
    while page.locator("#checklist tbody tr.item-open").count():
        page.locator("#checklist tbody tr.item-open").first.locator("button", has_text="Mark done").click()
        page.wait_for_load_state()
    story.check("checklist-done")
    page.click("main a:has-text('Back to')")
    page.fill("textarea[name=reason]", CONTAINMENT)
    page.click("button:has-text('Contain')")
    page.wait_for_selector("text=Contain recorded")
    story.check("incident-contained")

    # 4. Assess: every ENISA question answered (none is pre-selected), then the incident is assessed.
    page.click("main a:text-is('Risk assessment')")
    assert page.locator("input[type=radio]:checked").count() == 0
    for name, value in (("ease_of_identification", "maximum"), ("confidentiality", "public"), ("integrity", "none"),
                        ("availability", "none"), ("malicious", "yes")):
        page.check(f"input[name={name}][value={value}]")
    story.check("risk-assessment")
    page.click("text=Save assessment")
    page.wait_for_selector("text=Risk assessed: Very high")
    page.click("button:has-text('Mark assessed')")
    page.wait_for_selector("text=Mark assessed recorded")
    story.check("incident-assessed")

    # 5. The affected people, from a CSV file, through the page.
    page.click("main a:text-is('People and import')")
    story.check("people")
    page.set_input_files("input[name=file]", files=[
        {"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE_CSV.encode()}])
    page.click("main form button:has-text('Import')")
    page.wait_for_selector("text=3 people imported so far.")
    story.check("people-imported")

    # 6. The responder drafts the notices, writes in Chinese what the drafts left in English, and submits.
    page.goto(f"{live_server.url}/incidents/{incident.ref}/")
    page.click("main a:text-is('Notices')")
    page.click("main button:has-text('Draft notices')")
    page.wait_for_selector("main table a")
    story.check("notices")
    individuals = Notice.objects.get(incident=incident, audience="individuals")
    report = Notice.objects.get(incident=incident, audience="regulator")
    page.click(f"main table a:text-is('{report.pk}')")
    german = page.locator("form.element-form[data-language=de]")
    for code, text in GERMAN.items():
        german.locator(f"textarea[name={code}]").fill(text)
    german.locator("button", has_text="Save as a new version").click()
    page.wait_for_selector("text=Every check passes.")
    story.check("notice-report")
    page.click("text=Submit for legal review")
    page.wait_for_selector("text=submit recorded")
    page.goto(f"{live_server.url}/incidents/{incident.ref}/notices/")
    page.click(f"main table a:text-is('{individuals.pk}')")
    assert "untranslated" in story.text()
    chinese = page.locator("form.element-form[data-language=zh-hans]")
    for code, text in CHINESE.items():
        chinese.locator(f"textarea[name={code}]").fill(text)
    chinese.locator("button", has_text="Save as a new version").click()
    page.wait_for_selector("text=Every check passes.")
    story.check("notice-individuals")
    page.click("text=Submit for legal review")
    page.wait_for_selector("text=submit recorded")

    # 7. Legal rejects the notice to the people once, and approves the report.
    story.log_in("leo")
    page.click("header a:text-is('Approval queue')")
    story.check("notice-queue")
    page.click(f"main a[href$='/notices/{individuals.pk}/']")
    page.fill("textarea[name=comment]", "Tell people to change the password wherever they reused it.")
    story.check("notice-review")
    page.click("form[action$='/transitions/reject/'] button")
    page.wait_for_selector("text=reject recorded")
    page.goto(f"{live_server.url}/notices/{report.pk}/")
    page.click("form[action$='/transitions/approve/'] button")
    page.wait_for_selector("text=approve recorded")
    story.check("notice-report-approved")

    # 8. The responder answers the comment; the second legal approver approves (leo wrote no version
    #    of it, but four eyes let nobody approve their own text).
    story.log_in("rita")
    page.goto(f"{live_server.url}/notices/{individuals.pk}/")
    assert "Tell people to change the password" in story.text()
    english = page.locator("form.element-form[data-language=en]")
    measures = english.locator("textarea[name=measures_taken]")
    measures.fill(measures.input_value() + " We also reset the administrator's password.")
    english.locator("button", has_text="Save as a new version").click()
    page.wait_for_selector("text=Every check passes.")
    page.click("text=Submit for legal review")
    page.wait_for_selector("text=submit recorded")
    story.check("notice-revised")
    story.log_in("lena")
    page.goto(f"{live_server.url}/notices/{individuals.pk}/")
    page.click("form[action$='/transitions/approve/'] button")
    page.wait_for_selector("text=approve recorded")
    story.check("notice-approved")

    # 9. Legal sends it from the sending page: the check of every channel first, then the bars.
    story.log_in("leo")
    page.goto(f"{live_server.url}/notices/{individuals.pk}/")
    page.click("text=Send this notice…")
    page.wait_for_selector("text=Before sending: can each channel send?")
    assert story.text().count("✓ Development outbox") == 3
    story.check("sending-preflight")
    page.click("button:has-text('Send this notice now')")
    page.wait_for_selector("text=Delivery progress")
    for _ in range(120):  # the bars refresh every 3 s; the worker needs a few seconds for 9 messages
        bars = page.locator("#delivery-progress label").all_inner_texts()
        if len(bars) == 3 and all("3 of 3 finished (100 %)" in bar for bar in bars):
            break
        page.wait_for_timeout(1000)
    assert bars and all("3 of 3 finished (100 %)" in bar for bar in bars), bars
    page.reload()
    page.wait_for_selector("text=when the last person was reached or handed to a fallback")
    story.check("sending-done")

    # 10. The admin reads every message in the development outbox.
    story.log_in("ada")
    page.goto(f"{live_server.url}/dev/outbox/")
    assert "9 messages." in story.text()
    for address in ("anna@example.org", "+4915112345672", "token-li"):
        assert address in story.text()
    assert len(outbox_messages()) == 9
    story.check("dev-outbox")

    # 11. Legal records the filing with the German authority, the report's PDF attached by itself.
    story.log_in("leo")
    page.goto(f"{live_server.url}/incidents/{incident.ref}/")
    page.locator(f"#obligation-{regulator_duty.pk}").locator("text=Record a regulator submission").click()
    filed = timezone.now().astimezone(BERLIN)
    page.fill("input[name=submission-filed_at]", filed.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("select[name=submission-filed_at_zone]", "Europe/Berlin")
    page.fill("input[name=submission-channel]", "BfDI online form")
    page.fill("input[name=submission-reference]", "BfDI-2026-0815")
    story.check("submission")
    page.click("button:has-text('Record the submission')")
    page.wait_for_selector("text=Submission to German supervisory authority")
    page.locator(f"#obligation-{regulator_duty.pk}").locator("text=Filings and supplements").click()
    page.wait_for_selector("main a[href*='/submissions/']")
    assert "BfDI-2026-0815" in story.text() and ".pdf" in story.text()
    story.check("submission-recorded")

    # 12. Both duties are met; the incident moves on to users_notified and is closed.
    page.goto(f"{live_server.url}/incidents/{incident.ref}/")
    assert {duty.status for duty in incident.obligations.filter(applies=True)} == {"met"}
    assert "Met" in story.text(f"#obligation-{regulator_duty.pk}")
    page.click("button:has-text('Regulators notified')")
    page.wait_for_selector("text=Regulators notified recorded")
    story.check("incident-regulators-notified")
    page.click("button:has-text('Users notified')")
    page.wait_for_selector("text=Users notified recorded")
    assert Incident.objects.get(pk=incident.pk).state == "users_notified"
    story.check("incident-users-notified")
    page.fill("#reason-close", "Every duty met: the BfDI has its report and all three customers were told.")
    page.click("button:has-text('Close')")
    page.wait_for_selector("text=Close recorded")
    story.check("incident-closed")
    assert Incident.objects.get(pk=incident.pk).state == "closed"
