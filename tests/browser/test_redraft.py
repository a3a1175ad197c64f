"""A new duty after the notices were drafted: the incident page names it, the notices that do not cover it, and
drafts it on request; a duty whose clock has not started waits, and the page says until when. In Chromium."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from incidents.models import OrganisationProfile
from notifications.models import Notice
from notifications.notices import services
from tests.browser import test_incident_flow as flow
from tests.browser.test_incident_flow import check_page, check_phone, log_in
from tests.notifications.conftest import PROFILE, assessed

pytestmark = flow.pytestmark
browser, page, phone = flow.browser, flow.page, flow.phone

PEOPLE = (
    "external_id,jurisdiction,name,email\n"
    "d-1,DE,Anna Becker,anna@example.org\n"
    "f-1,FR,Louise Martin,louise@example.org\n"
)


def test_a_french_resident_brings_the_cnil_s_duty_and_the_page_drafts_its_notice(live_server, page, phone, responder):
    OrganisationProfile.objects.create(**PROFILE)
    incident = assessed(
        responder, title="Leaked customer database", aware_at=timezone.now() - timedelta(hours=2),
        affected={"DE": 1200, "US-CA": 501}, data_categories=["name", "email_address", "password"])
    drafted = services.notices_draft(actor=responder, incident=incident)
    german_report = next(notice for notice in drafted if notice.audience == "regulator")
    attorney_general = incident.obligations.get(jurisdiction="US-CA", audience="regulator")
    assert not attorney_general.notices.exists(), "its clock starts when the residents are told"

    log_in(page, live_server.url, responder.username)
    page.goto(f"{live_server.url}/incidents/{incident.ref}/recipients/")
    page.set_input_files("input[name=file]", files=[
        {"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE.encode()}])
    page.click("main form button:has-text('Import')")
    page.wait_for_selector("text=2 people imported so far.")
    page.click(f"main h1 a:text-is('{incident.ref}')")

    banner = page.locator("#redraft")
    text = banner.inner_text()
    assert "New duty: EU · Regulator · Commission nationale de l'informatique et des libertés (CNIL)" in text
    assert f"Not covered by: notice {german_report.pk} (Regulator · EU)" in text
    assert ("US-CA · Regulator · California Attorney General (DOJ): its clock has not started; its notice is "
            "drafted once it starts, when individuals were notified.") in text
    check_page(page, "incident-redraft-banner")
    log_in(phone, live_server.url, responder.username)
    phone.goto(f"{live_server.url}/incidents/{incident.ref}/")
    check_phone(phone, "incident-redraft-banner")

    banner.locator("button", has_text="Draft the missing notices").click()
    page.wait_for_selector("text=1 notice(s) drafted.")
    cnil = incident.obligations.get(authority__contains="CNIL")
    assert Notice.objects.filter(obligations=cnil).count() == 1
    assert not attorney_general.notices.exists()
    page.goto(f"{live_server.url}/incidents/{incident.ref}/")
    text = page.locator("#redraft").inner_text()
    assert "New duty" not in text and "California Attorney General (DOJ): its clock has not started" in text
