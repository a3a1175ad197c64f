"""The delivery API and commands: progress counts, queueing, the channel plan, reach and the CSV evidence."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from incidents.audit import AuditEvent
from notifications.delivery import sending
from notifications.models import Delivery
from notifications.notices import rendering
from tests.notifications.delivery_helpers import approved_notice, people, person

# Sending refuses a channel that cannot send; these tests need every channel configured.
pytestmark = pytest.mark.usefixtures("channels_configured")

EVERY_STATUS = {"queued", "sending", "sent", "delivered", "failed", "undelivered", "bounced"}


@pytest.fixture
def notice(incident):
    return approved_notice(incident)


def test_sending_through_the_api_queues_the_notice_and_answers_the_counts(api_as, legal, incident, notice):
    people(incident, 2)

    response = api_as(legal).post(f"/api/notices/{notice.pk}/send/")
    again = api_as(legal).post(f"/api/notices/{notice.pk}/send/")

    assert response.status_code == again.status_code == 202
    assert response.json()["status"] == "sending"
    assert response.json()["channels"]["email"]["queued"] == 2
    assert Delivery.objects.count() == 6


def test_an_outsider_can_neither_send_nor_see_progress(api_as, outsider, notice):
    assert api_as(outsider).post(f"/api/notices/{notice.pk}/send/").status_code == 403
    assert api_as(outsider).get(f"/api/notices/{notice.pk}/deliveries/summary/").status_code == 403
    assert api_as(outsider).get(f"/api/notices/{notice.pk}/deliveries.csv").status_code == 403


def test_a_responder_follows_progress_but_cannot_send(api_as, responder, notice):
    assert api_as(responder).get(f"/api/notices/{notice.pk}/deliveries/summary/").status_code == 200
    assert api_as(responder).post(f"/api/notices/{notice.pk}/send/").status_code == 403


def test_the_summary_counts_every_status_of_every_channel(api_as, legal, incident, notice):
    people(incident, 3)
    sending.notice_send(actor=legal, notice=notice)
    Delivery.objects.filter(channel="email", recipient__external_id="p0").update(status="bounced")

    body = api_as(legal).get(f"/api/notices/{notice.pk}/deliveries/summary/").json()

    assert body["notice"] == notice.pk
    assert set(body["channels"]) == {"email", "sms", "push"}
    assert all(set(counts) == EVERY_STATUS for counts in body["channels"].values())
    assert (body["channels"]["email"]["queued"], body["channels"]["email"]["bounced"]) == (2, 1)


def test_the_plan_is_shown_before_sending_and_can_be_changed(api_as, legal, incident, notice):
    person(incident, "de", jurisdiction="DE", email="de@example.org").save()
    client = api_as(legal)

    before = client.get(f"/api/notices/{notice.pk}/channel-plan/").json()
    changed = client.put(
        f"/api/notices/{notice.pk}/channel-plan/", {"overrides": {"DE": {"fallback": ["push"]}}}, format="json"
    )
    refused = client.put(
        f"/api/notices/{notice.pk}/channel-plan/", {"overrides": {"DE": {"legal": ["fax"]}}}, format="json"
    )

    assert before["jurisdictions"]["DE"]["legal"] == ["email", "sms"]
    assert before["frozen"] is False
    assert changed.json()["jurisdictions"]["DE"]["fallback"] == ["push"]
    assert refused.status_code == 400


def test_the_csv_evidence_lists_every_delivery_and_neutralises_formulas(api_as, legal, incident, notice):
    person(incident, "=HYPERLINK(\"http://evil\")", email="x@example.org").save()
    sending.notice_send(actor=legal, notice=notice)
    Delivery.objects.update(provider_id="+SM123", error_text="@SUM(A1)")

    response = api_as(legal).get(f"/api/notices/{notice.pk}/deliveries.csv", HTTP_ACCEPT="text/csv")

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    exported = incident.audit_events.get(action="personal_data.exported")
    assert exported.actor == legal and exported.payload == {"export": "deliveries.csv", "rows": 1, "notice": notice.pk}
    [row] = rows
    assert row["recipient_external_id"] == "'=HYPERLINK(\"http://evil\")"
    assert (row["provider_id"], row["error_text"]) == ("'+SM123", "'@SUM(A1)")
    assert row["queued_at"] and row["channel"] == "email" and row["status"] == "queued"


def test_a_responder_cannot_export_the_evidence(api_as, responder, notice):
    assert api_as(responder).get(f"/api/notices/{notice.pk}/deliveries.csv").status_code == 403


def test_reach_counts_people_no_channel_reached_and_says_when_substitute_notice_is_allowed(api_as, legal, incident, notice):
    people(incident, 2)
    person(incident, "nobody", postal_address="1 Main St").save()
    sending.notice_send(actor=legal, notice=notice)
    Delivery.objects.filter(recipient__external_id="p1").update(status="failed")

    [california] = api_as(legal).get(f"/api/notices/{notice.pk}/reach/").json()

    assert (california["jurisdiction"], california["people"], california["unreachable"]) == ("US-CA", 3, 2)
    assert california["printed_letters"] == 1
    assert california["substitute_notice"]["allowed"] is True
    assert california["substitute_notice"]["conditions_met"] == "yes"


def test_send_notice_command_queues_once_and_notice_status_prints_every_count(legal, incident, notice, capsys):
    people(incident, 2)

    call_command("send_notice", str(notice.pk), "--as", legal.username)
    call_command("send_notice", str(notice.pk), "--as", legal.username)
    capsys.readouterr()
    call_command("notice_status", str(notice.pk), "--json")

    printed = json.loads(capsys.readouterr().out)
    assert list(printed) == ["notice", "status", "channels"]
    assert printed["notice"] == notice.pk and printed["status"] == "sending"
    assert printed["channels"]["sms"] == {**dict.fromkeys(EVERY_STATUS, 0), "queued": 2}
    assert Delivery.objects.count() == 6


def test_notice_status_without_json_shows_the_plan(notice, capsys):
    call_command("notice_status", str(notice.pk))

    out = capsys.readouterr().out
    assert "Channel plan (if sent now)" in out
    assert "legal=email" in out


def test_substitute_notice_can_be_published_once_the_rule_allows_it_and_the_page_is_public(api_as, legal, incident, notice, client):
    people(incident, 1)
    person(incident, "nobody").save()
    refused = api_as(legal).post(f"/api/notices/{notice.pk}/announcement/")
    sending.notice_send(actor=legal, notice=notice)

    response = api_as(legal).post(f"/api/notices/{notice.pk}/announcement/")

    assert refused.status_code == 409
    assert response.status_code == 201
    assert "US-CA: condition met" in response.json()["reason"]
    page = client.get(response.json()["url"].removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200
    expected = rendering.render_message(version=notice.current_version, channel="announcement", language="en")
    assert expected.subject in page.content.decode()
    assert AuditEvent.objects.filter(action="notice.announcement_published").count() == 1


def test_where_substitute_notice_is_a_judgement_a_reason_is_required(api_as, legal, incident, notice):
    person(incident, "de-nobody", jurisdiction="DE").save()
    sending.notice_send(actor=legal, notice=notice)
    client = api_as(legal)

    without = client.post(f"/api/notices/{notice.pk}/announcement/")
    with_reason = client.post(
        f"/api/notices/{notice.pk}/announcement/", {"reason": "No contact data for 40% of the people."}, format="json"
    )

    assert without.status_code == 400
    assert with_reason.status_code == 201


def test_nobody_missed_means_no_substitute_notice(api_as, legal, incident, notice):
    people(incident, 2)
    sending.notice_send(actor=legal, notice=notice)

    assert api_as(legal).post(f"/api/notices/{notice.pk}/announcement/").status_code == 409


def test_the_mail_house_file_lists_each_person_flagged_for_a_letter_once(api_as, legal, responder, incident, notice):
    person(incident, "post-only", name="Grace Hopper", postal_address="1 Navy Way, Arlington", phone="+14155550100").save()
    people(incident, 2)
    sending.notice_send(actor=legal, notice=notice)

    response = api_as(legal).get(f"/api/notices/{notice.pk}/letters.csv", HTTP_ACCEPT="text/csv")

    [row] = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert (row["external_id"], row["name"], row["postal_address"]) == ("post-only", "Grace Hopper", "1 Navy Way, Arlington")
    assert row["personal_url"].endswith("/")
    exported = incident.audit_events.get(action="personal_data.exported")
    assert exported.actor == legal and exported.payload == {"export": "letters.csv", "rows": 1, "notice": notice.pk}
    assert api_as(responder).get(f"/api/notices/{notice.pk}/letters.csv").status_code == 403


def test_sending_a_regulator_notice_answers_409_with_the_reason(api_as, legal, incident):
    regulator = approved_notice(incident)
    regulator.audience = "regulator"
    regulator.save()

    response = api_as(legal).post(f"/api/notices/{regulator.pk}/send/")

    assert response.status_code == 409
    assert "regulator" in response.json()["detail"]
    assert not Delivery.objects.filter(notice=regulator).exists()
