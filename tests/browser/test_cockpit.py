"""The deadline cockpit in Chromium: the dashboard's order, colours and filters, the register and its export,
drills kept out of it, and the small case within its budget of page loads and form fields."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.utils import timezone

from incidents import services
from incidents.models import Incident, IncidentType, OrganisationProfile
from notifications.delivery import batch
from notifications.models import Delivery, Notice
from tests.browser import test_incident_flow as flow
from tests.browser.test_incident_flow import _user, check_page, check_phone, log_in
from tests.notifications.conftest import PROFILE

# The incident flow's Chromium fixtures and markers, shared.
pytestmark = flow.pytestmark
browser, page, phone = flow.browser, flow.page, flow.phone


def _due_in(actor, left: timedelta, title: str, **extra) -> Incident:
    """An incident in Germany whose GDPR Art. 33 deadline (72 hours from awareness) is ``left`` from now."""
    return services.incident_create(actor=actor, title=title, aware_at=timezone.now() + left - timedelta(hours=72),
                                    affected={"DE": 8}, data_categories=["name", "email_address"], **extra)


def _colour(page, ref: str) -> str:
    return page.eval_on_selector(f"tr[data-ref='{ref}'] .due", "e => getComputedStyle(e).backgroundColor")


def test_the_dashboard_puts_the_nearest_deadline_first_in_red_or_amber_with_words_and_filters_by_url(
        live_server, page, phone):
    rita = _user("rita", "responder")
    later = _due_in(rita, timedelta(days=2), "Later")
    amber = _due_in(rita, timedelta(hours=20), "Amber")
    overdue = _due_in(rita, -timedelta(minutes=40), "Overdue")
    red = _due_in(rita, timedelta(hours=3), "Red")
    log_in(page, live_server.url, "rita")
    rows = page.locator("#open-incidents tbody tr")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.ref)") == [overdue.ref, red.ref, amber.ref, later.ref]
    assert "Overdue" in page.inner_text(f"tr[data-ref='{overdue.ref}'] .due")
    assert "Due within 6 hours" in page.inner_text(f"tr[data-ref='{red.ref}'] .due")
    assert "Due within 24 hours" in page.inner_text(f"tr[data-ref='{amber.ref}'] .due")
    assert _colour(page, overdue.ref) == _colour(page, red.ref) == "rgb(251, 227, 228)"
    assert _colour(page, amber.ref) == "rgb(255, 243, 214)"
    assert _colour(page, later.ref) == "rgba(0, 0, 0, 0)"
    check_page(page, "dashboard")
    page.check("input[name=overdue]")
    page.click("main form[role=search] button[type=submit]")
    page.wait_for_url("**overdue=on**")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.ref)") == [overdue.ref]
    shared = page.url
    page.goto(f"{live_server.url}/?q=Amber")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.ref)") == [amber.ref]
    log_in(phone, live_server.url, "rita")
    phone.goto(shared)
    assert phone.locator("#open-incidents tbody tr").count() == 1
    check_phone(phone, "dashboard")


def test_the_dashboard_refreshes_in_place_when_a_nearer_deadline_appears(live_server, page):
    rita = _user("rita", "responder")
    later = _due_in(rita, timedelta(days=2), "Later")
    page.clock.install()
    log_in(page, live_server.url, "rita")
    rows = page.locator("#open-incidents tbody tr")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.ref)") == [later.ref]
    page.evaluate("document.body.dataset.untouched = 'yes'")
    loads = []
    page.on("load", lambda loaded: loads.append(loaded.url))

    urgent = _due_in(rita, timedelta(hours=3), "Urgent")
    page.clock.run_for("00:31")
    page.wait_for_selector(f"tr[data-ref='{urgent.ref}']")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.ref)") == [urgent.ref, later.ref]
    assert "Due within 6 hours" in page.inner_text(f"tr[data-ref='{urgent.ref}'] .due")
    assert page.inner_text("ul.counters li:nth-child(2) strong") == "1"
    # The same document, updated in place: no page load, and what the page held before is still there.
    assert loads == [] and page.evaluate("document.body.dataset.untouched") == "yes"


def test_the_register_exports_what_it_shows_and_a_drill_stays_out_of_it(live_server, page):
    rita, leo = _user("rita", "responder"), _user("leo", "legal")
    real = _due_in(rita, timedelta(hours=30), "=cmd|' /C calc'!A0")
    drill = _due_in(rita, timedelta(hours=30), "Tabletop exercise", is_drill=True)
    log_in(page, live_server.url, "leo")
    page.click("header >> text=Register")
    page.wait_for_selector(f"article[data-ref='{real.ref}']")
    assert page.locator(f"article[data-ref='{drill.ref}']").count() == 0
    check_page(page, "register")
    with page.expect_download() as download:
        page.click("#export-csv")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert [row["ref"] for row in rows] == [real.ref]
    assert rows[0]["title"] == "'=cmd|' /C calc'!A0"
    page.goto(f"{live_server.url}/")
    assert "DRILL" in page.inner_text(f"tr[data-ref='{drill.ref}']")
    assert page.inner_text("ul.counters li:first-child strong") == "0"
    assert leo


class Budget:
    """What the small case costs: page loads from the responder's dashboard on (the lawyer's log-in included),
    and the form fields filled (the two log-ins' user name and password count four)."""

    def __init__(self, page) -> None:
        self.page, self.loads, self.fields = page, [], set()
        page.on("load", lambda loaded: self.loads.append(loaded.url))

    def fill(self, selector: str, value: str) -> None:
        self.fields.add(selector)
        self.page.fill(selector, value)

    def choose(self, selector: str) -> None:
        self.fields.add(selector.split("[value")[0])
        self.page.check(selector)

    def held(self) -> None:
        assert len(self.loads) <= 12, self.loads
        assert len(self.fields) + 4 <= 25, self.fields


def _small_incident_assessed(budget: Budget, *, title: str, description: str, jurisdiction: str,
                             categories: tuple[str, str], identification: str, containment: str) -> None:
    """The responder, from the dashboard: a one-person incident, contained and assessed."""
    page = budget.page
    page.click("text=New incident")
    budget.fill("input[name=title]", title)
    if description:
        budget.fill("textarea[name=description]", description)
    budget.fill("input[name=aware_at]", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    budget.fill("input[name=affected-0-jurisdiction]", jurisdiction)
    budget.fill("input[name=affected-0-count]", "1")
    for category in categories:
        budget.choose(f"input[value={category}]")
    page.click("text=Check the clock start")
    page.click("button[name=confirm]")
    page.wait_for_selector("text=Next steps")
    budget.fill("#reason-contain", containment)
    page.click("button:has-text('Contain')")
    page.click("text=Risk assessment")
    for answer in (f"ease_of_identification][value={identification}", "confidentiality][value=limited",
                   "integrity][value=none", "availability][value=none", "malicious][value=no"):
        name, value = answer.split("][")
        budget.choose(f"input[name={name}][{value}]")
    page.click("main form button[type=submit]")
    page.click("button:has-text('Mark assessed')")
    page.wait_for_selector("text=Mark assessed recorded")


def _lawyer_logs_in(page) -> None:
    page.click("text=Log out")
    # Logging out lands on the login page: the lawyer types there, with no page load of their own.
    page.wait_for_url("**/accounts/login/")
    page.fill("input[name=username]", "leo")
    page.fill("input[name=password]", "leo-password-123")
    page.click("main button[type=submit]")
    page.wait_for_selector("header form[action$='/logout/']")


def test_the_small_case_closes_as_not_notifiable_within_twelve_page_loads_and_twenty_five_fields(live_server, page):
    _user("rita", "responder")
    _user("leo", "legal")
    log_in(page, live_server.url, "rita")
    budget = Budget(page)
    _small_incident_assessed(
        budget, title="Payslip e-mailed to the wrong colleague", description="", jurisdiction="DE",
        categories=("name", "email_address"), identification="limited",
        containment="The colleague deleted the e-mail unread and confirmed it in writing.")
    incident = Incident.objects.get()
    assert incident.state == "assessed"

    _lawyer_logs_in(page)
    page.click(f"text={incident.ref}")
    budget.fill("#reason-close", "One colleague received it and deleted it unread: unlikely to result in a risk.")
    page.click("button:has-text('Close')")
    page.wait_for_selector("text=Close recorded")
    incident.refresh_from_db()
    assert incident.state == "closed"
    budget.held()
    page.click("header >> text=Register")
    page.wait_for_selector(f"article[data-ref='{incident.ref}'] >> text=Not notifiable because")


def test_the_small_case_sends_one_approved_email_notice_within_twelve_page_loads_and_twenty_five_fields(
        live_server, page, smtp_server, settings):
    settings.CELERY_BROKER_URL = "memory://"
    settings.EMAIL_RATE_PER_SECOND = 0
    OrganisationProfile.objects.create(**PROFILE)
    _user("rita", "responder")
    _user("leo", "legal")
    log_in(page, live_server.url, "rita")
    budget = Budget(page)
    _small_incident_assessed(
        budget, title="Payslip with an SSN e-mailed to the wrong address",
        description="A payslip showing one employee's name and SSN was e-mailed to a wrong address.",
        jurisdiction="US-CA", categories=("name", "ssn"), identification="maximum",
        containment="The recipient confirmed deleting it; the mail rule that misaddressed it was fixed.")
    page.wait_for_selector("#small-case")
    check_page(page, "small-case")
    budget.fill("input[name=small-name_1]", "Pat Employee")
    budget.fill("input[name=small-email_1]", "pat@example.org")
    page.click("#small-case button[type=submit]")
    page.wait_for_selector("text=sent to legal for approval")
    notice = Notice.objects.get()
    assert (notice.status, notice.languages) == ("in_review", ["en"])

    _lawyer_logs_in(page)
    page.click(f"section[aria-labelledby=my-work] a[href$='/notices/{notice.pk}/']")
    page.click("button:has-text('Approve and send now')")
    page.wait_for_selector("text=approved and sending started")
    budget.held()

    # The worker's part: the queued batch goes out to the fake SMTP server.
    batch.deliveries_send_batch(delivery_ids=list(Delivery.objects.filter(notice=notice).values_list("id", flat=True)))
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["pat@example.org"] and "Pat Employee" in mail.text
    page.reload()
    assert "1 of 1 finished (100 %)" in page.inner_text("main")


def test_the_emergency_plan_checklist_blocks_contain_until_every_item_is_done_or_waived(live_server, page):
    rita = _user("rita", "responder")
    incident = services.incident_create(
        actor=rita, title="Payslips sent to the wrong team", aware_at=timezone.now(), affected={"DE": 6},
        data_categories=["name"], incident_type=IncidentType.objects.get(code="misdirected_email"))
    log_in(page, live_server.url, "rita")
    page.goto(f"{live_server.url}/incidents/{incident.ref}/")
    page.fill("#reason-contain", "Recipients asked to delete the e-mail.")
    page.click("button:has-text('Contain')")
    page.wait_for_selector("text=Still to do: Recall the message")
    incident.refresh_from_db()
    assert incident.state == "detected"
    page.click("text=Emergency plan")
    check_page(page, "checklist")
    for _ in range(3):
        page.locator("#checklist tr.item-open button:has-text('Mark done')").first.click()
        page.wait_for_selector("text=Checklist updated.")
    page.locator("#checklist tr.item-open summary:has-text('Waive')").first.click()
    page.locator("#checklist tr.item-open input[name$='-reason']").first.fill("The DPO was on the call")
    page.locator("#checklist tr.item-open form[action$='/waive/'] button").first.click()
    page.wait_for_selector("text=Waived: The DPO was on the call")
    page.goto(f"{live_server.url}/incidents/{incident.ref}/")
    page.fill("#reason-contain", "Recipients asked to delete the e-mail; all confirmed.")
    page.click("button:has-text('Contain')")
    page.wait_for_selector("text=Contain recorded")
    incident.refresh_from_db()
    assert incident.state == "contained"
