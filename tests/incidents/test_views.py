"""The server-rendered pages responders and legal use: dates nobody can misread, facts, risk, obligations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import translation

from incidents import services
from incidents.audit import AuditEvent
from incidents.models import Incident, Obligation, RiskAssessment, UserPreference
from incidents.obligations import obligation_exempt

pytestmark = pytest.mark.django_db

NEW = {
    "title": "Stolen laptop", "aware_at": "2026-12-06T09:30", "aware_at_zone": "Europe/Berlin",
    "affected-TOTAL_FORMS": "3", "affected-INITIAL_FORMS": "0",
    "affected-0-jurisdiction": "DE", "affected-0-count": "40",
    "affected-1-jurisdiction": "US-CA", "affected-1-count": "600",
    "data_categories": ["name", "ssn"],
}


def test_the_clock_start_is_read_back_in_the_chosen_zone_and_utc_before_anything_is_stored(client, responder):
    client.force_login(responder)
    response = client.post("/incidents/new/", NEW)
    page = response.content.decode()
    assert "Every legal clock runs from 6 Dec 2026 09:30 CET = 08:30 UTC." in page
    assert not Incident.objects.exists()

    response = client.post("/incidents/new/", {**NEW, "clock": "2026-12-06T09:30:00+01:00"}, follow=True)
    incident = Incident.objects.get(title="Stolen laptop")
    assert incident.aware_at == datetime(2026, 12, 6, 8, 30, tzinfo=UTC)
    assert incident.affected_counts() == {"DE": 40, "US-CA": 600}
    page = response.content.decode()
    assert "US-CA" in page and "verify before relying on it" in page  # California's AG copy is secondary


def test_a_typed_ambiguous_date_stores_nothing_and_the_error_names_the_field(client, responder):
    client.force_login(responder)
    response = client.post("/incidents/new/", {**NEW, "aware_at": "05/12/2026 09:30",
                                               "clock": "2026-12-06T09:30:00+01:00"})
    page = response.content.decode()
    assert "When you became aware: “05/12/2026 09:30” is not read" in page
    assert "could mean 5 December or" in page
    assert not Incident.objects.exists()


def test_a_wall_clock_time_that_happens_twice_is_refused(client, responder):
    client.force_login(responder)
    response = client.post("/incidents/new/", {**NEW, "aware_at": "2026-10-25T02:30"})
    assert "happens twice in Europe/Berlin" in response.content.decode()
    assert not Incident.objects.exists()


def test_an_unknown_jurisdiction_row_is_reported_on_its_row(client, responder):
    client.force_login(responder)
    response = client.post("/incidents/new/", {**NEW, "affected-0-jurisdiction": "XX"})
    assert "Unknown jurisdiction code XX" in response.content.decode()
    assert not Incident.objects.exists()


def test_pages_show_times_in_the_users_own_zone_beside_utc(client, responder, incident):
    client.force_login(responder)
    client.post("/preferences/", {"time_zone": "Asia/Shanghai", "language": ""})
    assert UserPreference.objects.get(user=responder).time_zone == "Asia/Shanghai"
    page = client.get(f"/incidents/{incident.ref}/").content.decode()
    assert "27 Mar 2026 17:00 CST = 09:00 UTC" in page


def _edit_form(incident, **changes) -> dict:
    """The edit page's form as the browser sends it for the conftest incident, with ``changes``."""
    return {
        "title": incident.title, "aware_at": "2026-03-27T09:00", "aware_at_zone": "UTC",
        "occurred_at": "2026-03-25T22:00", "occurred_at_zone": "UTC",
        "affected-TOTAL_FORMS": "3", "affected-INITIAL_FORMS": "2",
        "affected-0-jurisdiction": "DE", "affected-0-count": "1200",
        "affected-1-jurisdiction": "US-CA", "affected-1-count": "501",
        "data_categories": ["name", "email_address", "password"], **changes,
    }


def test_editing_awareness_moves_the_deadline_and_the_page_says_old_new_and_why(client, responder, incident):
    client.force_login(responder)
    gdpr = incident.obligations.get(jurisdiction="EU", audience="regulator")
    form = _edit_form(incident, aware_at="2026-03-27T12:00")
    page = client.post(f"/incidents/{incident.ref}/edit/", form).content.decode()
    assert "Every legal clock runs from 27 Mar 2026 12:00 UTC." in page
    response = client.post(f"/incidents/{incident.ref}/edit/", {**form, "clock": "2026-03-27T12:00:00+00:00"},
                           follow=True)
    page = response.content.decode()
    assert "Deadlines moved" in page
    assert "30 Mar 2026 09:00 UTC" in page and "30 Mar 2026 12:00 UTC" in page
    assert "facts edited: aware_at" in page
    gdpr.refresh_from_db()
    assert gdpr.due_at == datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
    edit = AuditEvent.objects.get(incident=incident, action="incident.edited")
    assert edit.payload["changes"]["aware_at"] == ["2026-03-27T09:00:00Z", "2026-03-27T12:00:00Z"]


def test_adding_a_jurisdiction_row_adds_its_duty_and_the_page_lists_it(client, responder, incident):
    client.force_login(responder)
    form = _edit_form(incident, **{"affected-2-jurisdiction": "SG", "affected-2-count": "900"})
    page = client.post(f"/incidents/{incident.ref}/edit/", form, follow=True).content.decode()
    assert "Duties added" in page and "SG" in page
    assert incident.obligations.filter(jurisdiction="SG", applies=True).exists()


def test_the_assessment_starts_with_no_answer_and_needs_every_one(client, responder, incident):
    client.force_login(responder)
    page = client.get(f"/incidents/{incident.ref}/assessment/").content.decode()
    assert 'type="radio"' in page and "checked" not in page
    page = client.post(f"/incidents/{incident.ref}/assessment/", {
        "ease_of_identification": "maximum", "confidentiality": "public", "integrity": "none",
        "availability": "none"}).content.decode()
    assert "This field is required" in page
    assert not hasattr(Incident.objects.get(pk=incident.pk), "risk_assessment")


def _assess_low(client, incident):
    return client.post(f"/incidents/{incident.ref}/assessment/", {
        "ease_of_identification": "negligible", "confidentiality": "limited", "integrity": "none",
        "availability": "none", "malicious": "no"}, follow=True)


def test_a_low_risk_says_next_to_the_duty_why_it_is_gone_and_that_it_is_a_heuristic(client, responder, incident):
    client.force_login(responder)
    page = _assess_low(client, incident).content.decode()
    assert "Risk assessed: Low" in page
    individuals = incident.obligations.get(jurisdiction="EU", audience="individuals")
    assert not individuals.applies
    row = page[page.index(f'id="obligation-{individuals.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "No longer required" in row and "product heuristic" in row and "high risk" in row


def test_the_volume_question_may_stay_unanswered_and_a_large_volume_raises_the_score(client, responder, incident):
    client.force_login(responder)
    _assess_low(client, incident)
    record = Incident.objects.get(pk=incident.pk).risk_assessment
    # DPC 3 (password) x EI 0.25 + CB 0.25 (known recipients)
    assert (record.volume, str(record.score)) == ("normal", "1.00")
    client.post(f"/incidents/{incident.ref}/assessment/", {
        "ease_of_identification": "negligible", "confidentiality": "untrusted", "integrity": "none",
        "availability": "none", "volume": "large", "malicious": "no"})
    record.refresh_from_db()
    # DPC 4 (raised by the volume) x EI 0.25 + CB 0.5 (a recipient whose intentions are unknown)
    assert (record.volume, record.confidentiality, str(record.score)) == ("large", "untrusted", "1.50")


def test_legal_overrides_the_level_with_a_reason_and_the_duty_returns(client, responder, legal, incident):
    client.force_login(responder)
    _assess_low(client, incident)
    client.force_login(legal)
    client.post(f"/incidents/{incident.ref}/assessment/override/", {"risk_override": "high", "override_reason": ""})
    assert not incident.obligations.get(jurisdiction="EU", audience="individuals").applies
    page = client.post(f"/incidents/{incident.ref}/assessment/override/", {
        "risk_override": "high", "override_reason": "Passwords were unsalted."}, follow=True).content.decode()
    assert "decided by legal" in page and "Passwords were unsalted." in page
    assert incident.obligations.get(jurisdiction="EU", audience="individuals").applies


def test_responder_cannot_override_the_level(client, responder, incident):
    client.force_login(responder)
    _assess_low(client, incident)
    page = client.post(f"/incidents/{incident.ref}/assessment/override/", {
        "risk_override": "high", "override_reason": "x"}, follow=True).content.decode()
    assert "override_risk_incident" in page
    assert RiskAssessment.objects.get(incident=incident).risk_override == ""


def test_marking_a_late_duty_met_needs_the_reason_then_shows_in_table_and_timeline(client, legal, incident):
    client.force_login(legal)
    gdpr = incident.obligations.get(jurisdiction="EU", audience="regulator")
    prefix = f"met-{gdpr.pk}"
    late = {f"{prefix}-met_at": "2026-03-31T10:00", f"{prefix}-met_at_zone": "Europe/Berlin",
            f"{prefix}-reference": "BfDI-2026-4411"}
    response = client.post(f"/obligations/{gdpr.pk}/met/", late)
    assert response.status_code == 400
    assert "give the reasons for the delay" in response.content.decode()
    gdpr.refresh_from_db()
    assert gdpr.status == "open"

    page = client.post(f"/obligations/{gdpr.pk}/met/", {**late, f"{prefix}-reason": "The processor told us late."},
                       follow=True).content.decode()
    gdpr.refresh_from_db()
    assert gdpr.status == "met" and gdpr.met_at == datetime(2026, 3, 31, 8, 0, tzinfo=UTC)
    assert gdpr.met_reference == "BfDI-2026-4411"
    row = page[page.index(f'id="obligation-{gdpr.pk}"'):]
    assert "Met" in row[:row.index("</tr>")] and "BfDI-2026-4411" in row[:row.index("</tr>")]
    timeline = page[page.index('id="timeline"'):]
    assert f"obligation #{gdpr.pk} (EU, Regulator)" in timeline and "The processor told us late." in timeline
    assert "Obligation met" in timeline


def test_exempting_needs_a_reason_and_is_shown_with_it(client, legal, incident):
    client.force_login(legal)
    duty = incident.obligations.filter(applies=True).first()
    response = client.post(f"/obligations/{duty.pk}/exempt/", {f"exempt-{duty.pk}-reason": ""})
    assert response.status_code == 400
    page = client.post(f"/obligations/{duty.pk}/exempt/", {f"exempt-{duty.pk}-reason": "Art. 34(3)(a): encrypted."},
                       follow=True).content.decode()
    assert Obligation.objects.get(pk=duty.pk).status == "exempted"
    assert "Obligation exempted" in page and "Art. 34(3)(a): encrypted." in page


def test_responder_sees_no_met_or_exempt_buttons(client, responder, incident):
    client.force_login(responder)
    page = client.get(f"/incidents/{incident.ref}/").content.decode()
    assert "Mark met" not in page
    duty = incident.obligations.first()
    client.post(f"/obligations/{duty.pk}/exempt/", {f"exempt-{duty.pk}-reason": "no"})
    assert Obligation.objects.get(pk=duty.pk).status == "open"


def test_a_law_enforcement_delay_recorded_in_the_page_pauses_californias_clock(client, legal, incident):
    client.force_login(legal)
    california = incident.obligations.get(jurisdiction="US-CA", audience="individuals")
    before = california.due_at
    page = client.post(f"/incidents/{incident.ref}/law-enforcement-delays/", {
        "delay-agency": "FBI", "delay-form": "written", "delay-statement": "Notice would impede the investigation.",
        "delay-starts_at": "2026-03-28T00:00", "delay-starts_at_zone": "UTC",
        "delay-ends_at": "2026-04-07T00:00", "delay-ends_at_zone": "UTC",
    }, follow=True).content.decode()
    california.refresh_from_db()
    assert california.due_at > before
    assert "Law-enforcement delay recorded" in page and "FBI" in page


def test_legal_confirms_a_responders_delay_in_the_page(client, responder, legal, incident):
    client.force_login(responder)
    california = incident.obligations.get(jurisdiction="US-CA", audience="individuals")
    before = california.due_at
    page = client.post(f"/incidents/{incident.ref}/law-enforcement-delays/", {
        "delay-agency": "FBI", "delay-form": "written", "delay-statement": "Notice would impede the investigation.",
        "delay-starts_at": "2026-03-28T00:00", "delay-starts_at_zone": "UTC",
        "delay-ends_at": "2026-04-07T00:00", "delay-ends_at_zone": "UTC",
    }, follow=True).content.decode()
    assert "Awaiting legal confirmation" in page and "Confirm this delay" not in page
    california.refresh_from_db()
    assert california.due_at == before
    delay = incident.law_enforcement_delays.get()
    client.force_login(legal)
    page = client.post(f"/incidents/{incident.ref}/law-enforcement-delays/{delay.pk}/confirm/", follow=True)
    assert "Law-enforcement delay confirmed" in page.content.decode()
    california.refresh_from_db()
    assert california.due_at > before


def test_reopening_from_the_page_needs_the_new_facts(client, legal, responder, incident):
    services.incident_transition(actor=responder, incident=incident, name="contain", reason="Isolated.")
    incident.refresh_from_db()
    client.force_login(responder)
    _assess_low(client, incident)
    services.incident_transition(actor=responder, incident=incident, name="assess")
    for duty in incident.obligations.filter(applies=True):
        obligation_exempt(actor=legal, obligation=duty, reason="Not owed at low risk.")
    client.force_login(legal)
    client.post(f"/incidents/{incident.ref}/transitions/close/", {"reason": "Low risk: register entry only."})
    assert Incident.objects.get(pk=incident.pk).state == "closed"
    page = client.post(f"/incidents/{incident.ref}/transitions/reopen/", {"reason": ""}, follow=True).content.decode()
    assert "Reopening needs a reason" in page
    client.post(f"/incidents/{incident.ref}/transitions/reopen/", {"reason": "More records found."})
    assert Incident.objects.get(pk=incident.pk).state == "assessed"


def test_the_language_switch_is_remembered_for_the_user(client, responder, incident):
    client.force_login(responder)
    client.post("/preferences/language/", {"language": "zh-hans", "next": "/"})
    assert UserPreference.objects.get(user=responder).language == "zh-hans"
    client.cookies.clear()
    client.force_login(responder)
    page = client.get("/").content.decode()
    assert 'lang="zh-Hans"' in page and "退出" in page


def test_transition_button_reports_the_unmet_condition(client, responder, incident):
    client.force_login(responder)
    response = client.post(f"/incidents/{incident.ref}/transitions/contain/", {"reason": ""}, follow=True)
    assert "containment summary is required" in response.content.decode()


def test_outsider_gets_403_on_incident_pages(client, outsider, incident):
    client.force_login(outsider)
    assert client.get("/").status_code == 403
    assert client.get(f"/incidents/{incident.ref}/").status_code == 403
    assert client.get(f"/incidents/{incident.ref}/edit/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_legal_records_and_withdraws_a_no_harm_determination_in_the_page(client, legal, incident):
    client.force_login(legal)
    page = client.post(f"/incidents/{incident.ref}/no-harm-determination/", {"reason": ""}, follow=True)
    assert "needs its written reason" in page.content.decode()
    page = client.post(f"/incidents/{incident.ref}/no-harm-determination/",
                       {"reason": "Deleted unread by the one recipient."}, follow=True).content.decode()
    assert "No-harm determination recorded" in page and "Deleted unread by the one recipient." in page
    assert Incident.objects.get(pk=incident.pk).no_harm_reason == "Deleted unread by the one recipient."
    client.post(f"/incidents/{incident.ref}/no-harm-determination/", {"withdraw": "1"})
    assert Incident.objects.get(pk=incident.pk).no_harm_reason == ""


def test_times_read_year_month_day_in_chinese(client, responder, incident):
    client.force_login(responder)
    client.post("/preferences/", {"time_zone": "Asia/Shanghai", "language": "zh-hans"})
    page = client.get(f"/incidents/{incident.ref}/").content.decode()
    assert "2026年3月27日 17:00 CST = 09:00 UTC" in page


@pytest.fixture
def california_500(responder):
    return services.incident_create(
        actor=responder, title="Payroll export left public", aware_at=datetime(2026, 4, 1, 16, 0, tzinfo=UTC),
        affected={"US-CA": 500}, data_categories=["name", "ssn"],
    )


def test_the_incident_page_explains_its_decisions_only_on_demand(client, responder, california_500):
    client.force_login(responder)
    page = client.get(f"/incidents/{california_500.ref}/").content.decode()
    assert "Explain the decisions" in page and "Version in force" not in page
    page = client.get(f"/incidents/{california_500.ref}/?explain=1").content.decode()
    assert "Rule US-CA:residents, version in force from 2026-01-01 to open end" in page
    assert "Statutory definition of covered data" in page and "1798.82(h)" in page
    assert "Facts matched: Role: controller; Data involved: Name, Social Security number" in page
    assert "below the head-count threshold" in page


def test_the_what_if_panel_lists_the_attorney_general_copy_one_more_resident_would_bring(client, responder,
                                                                                           california_500):
    client.force_login(responder)
    page = client.get(f"/incidents/{california_500.ref}/?explain=1").content.decode()
    assert "If 501 people lived in California (United States) instead of 500 (US-CA threshold: &gt; 500)" in page
    assert "would be required: US-CA · Regulator · California Attorney General (DOJ)" in page
    assert "If Social Security number were not involved" in page
    assert "would no longer be required: US-CA · Individuals · Affected California residents (data not covered)" in page


def test_the_explanation_is_in_chinese_for_a_chinese_reader(client, responder, california_500):
    UserPreference.objects.create(user=responder, language="zh-hans")
    client.force_login(responder)
    try:
        page = client.get(f"/incidents/{california_500.ref}/?explain=1").content.decode()
    finally:
        translation.deactivate()  # the test client runs the page in this thread: do not leak its language
    assert "为什么需要这些义务" in page and "若居住在加利福尼亚州 (美国)的受影响人数为 501 人而非 500 人" in page


def test_an_admin_sets_the_organisations_zone_and_people_without_their_own_see_it(client, admin_user, responder,
                                                                                 incident):
    client.force_login(admin_user)
    form = client.get("/organisation/").context["form"]
    data = {**{name: value for name, value in form.initial.items() if value is not None},
            "legal_name": "Example GmbH", "dpo_name": "DPO", "dpo_email": "dpo@example.com",
            "identity_protection_months": 0, "default_role": "controller", "time_zone": "Europe/Berlin"}
    data.pop("regimes", None)
    response = client.post("/organisation/", data, follow=True)
    assert "Organisation profile saved" in response.content.decode()
    client.force_login(responder)
    assert client.get("/organisation/").status_code == 403
    page = client.get(f"/incidents/{incident.ref}/").content.decode()
    assert "27 Mar 2026 10:00 CET = 09:00 UTC" in page
