"""Reminders before each deadline: each threshold once, to the owner and legal, escalated to admins when overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, User

from cockpit.models import InAppAlert, Reminder
from cockpit.reminders import reminder_thresholds, reminders_send_due
from incidents import obligations, services
from incidents.models import AuditEvent, Obligation, OrganisationProfile, UserPreference
from tests.cockpit.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(responder, legal, admin_user):
    for user in (responder, legal, admin_user):
        user.email = f"{user.username}@example.org"
        user.save()
    return {"owner": responder, "legal": legal, "admin": admin_user}


def _eu_duty(incident) -> Obligation:
    return incident.obligations.get(jurisdiction="EU", audience="regulator")


def _tick(at) -> int:
    with time_machine.travel(at, tick=False):
        return reminders_send_due(now=at)


def _subjects(smtp_server, address: str) -> list[str]:
    return [" ".join(str(mail.message["Subject"]).split()) for mail in smtp_server.messages_to(address)]


def test_each_threshold_fires_once_to_the_owner_and_legal_and_the_overdue_alert_reaches_admins(
        team, due_in, smtp_server):
    with time_machine.travel(NOW - timedelta(hours=30), tick=False):
        incident = due_in(team["owner"], timedelta(0), title="Wrong recipient")
    due = _eu_duty(incident).due_at
    assert due == NOW
    assert _tick(due - timedelta(hours=24, minutes=1)) == 0
    for threshold in (timedelta(hours=24), timedelta(hours=6), timedelta(hours=1), timedelta(0)):
        assert _tick(due - threshold) == 1
        assert _tick(due - threshold + timedelta(minutes=1)) == 0
    assert _subjects(smtp_server, "rita_responder@example.org") == [
        f"{incident.ref}: EU · Regulator · {_eu_duty(incident).authority} due in {left}"
        for left in ("1 d 0 h", "6 h 0 min", "1 h 0 min")
    ] + [f"{incident.ref}: EU · Regulator · {_eu_duty(incident).authority} is overdue"]
    assert len(_subjects(smtp_server, "leo_legal@example.org")) == 4
    assert len(_subjects(smtp_server, "ada_admin@example.org")) == 1
    assert "is due at 10 Jun 2026 12:00 UTC" in smtp_server.messages_to("leo_legal@example.org")[0].text
    assert sorted(Reminder.objects.values_list("minutes_before", flat=True)) == [0, 60, 360, 1440]
    event = AuditEvent.objects.filter(incident=incident, action="reminder.sent").last()
    assert event.payload["minutes_before"] == 0
    assert event.payload["people"]["ada_admin"] == {"in_app": "shown", "email": "sent"}


def test_a_duty_planned_close_to_its_deadline_gets_only_the_latest_crossed_threshold(team, due_in, smtp_server):
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        due_in(team["owner"], timedelta(0))
    assert _tick(NOW - timedelta(hours=2)) == 1
    assert _tick(NOW - timedelta(minutes=59)) == 1
    assert list(Reminder.objects.values_list("minutes_before", flat=True)) == [360, 60]


def test_no_reminder_once_the_duty_is_met(team, due_in, smtp_server):
    with time_machine.travel(NOW - timedelta(hours=30), tick=False):
        incident = due_in(team["owner"], timedelta(0))
    assert _tick(NOW - timedelta(hours=24)) == 1
    with time_machine.travel(NOW - timedelta(hours=20), tick=False):
        obligations.obligation_mark_met(actor=team["legal"], obligation=_eu_duty(incident),
                                        met_at=NOW - timedelta(hours=20))
    for at in (NOW - timedelta(hours=6), NOW - timedelta(hours=1), NOW + timedelta(hours=1)):
        assert _tick(at) == 0
    assert len(smtp_server.messages) == 2  # the 24-hour alert to the owner and to legal, nothing after


def test_a_moved_deadline_re_arms_only_the_thresholds_still_ahead_of_it(team, due_in, smtp_server):
    with time_machine.travel(NOW - timedelta(hours=30), tick=False):
        incident = due_in(team["owner"], timedelta(0))
    assert _tick(NOW - timedelta(hours=6)) == 1
    with time_machine.travel(NOW - timedelta(hours=5), tick=False):
        # New facts: awareness was 30 minutes later, so the 6-hour mark of the new deadline is already past.
        services.incident_update(actor=team["owner"], incident=incident,
                                 aware_at=incident.aware_at + timedelta(minutes=30))
    new_due = _eu_duty(incident).due_at
    assert new_due == NOW + timedelta(minutes=30)
    assert _tick(NOW - timedelta(hours=5)) == 0
    assert _tick(new_due - timedelta(hours=1)) == 1
    with time_machine.travel(new_due - timedelta(minutes=50), tick=False):
        # Awareness 10 hours later: the 6-hour and 1-hour marks are ahead again and fire again.
        services.incident_update(actor=team["owner"], incident=incident,
                                 aware_at=incident.aware_at + timedelta(hours=10))
    later_due = _eu_duty(incident).due_at
    assert _tick(later_due - timedelta(hours=6)) == 1
    assert _tick(later_due - timedelta(hours=1)) == 1
    assert list(Reminder.objects.values_list("minutes_before", "due_at")) == [
        (360, NOW), (60, new_due), (360, later_due), (60, later_due)]


def test_thresholds_come_from_the_organisation_profile_with_shorter_ones_for_short_clocks(db):
    profile = OrganisationProfile.current()
    assert reminder_thresholds(clock=timedelta(hours=72), profile=profile) == [1440, 360, 60, 0]
    assert reminder_thresholds(clock=timedelta(hours=4), profile=profile) == [120, 60, 15, 0]
    profile.reminder_minutes = [2880, 60]
    assert reminder_thresholds(clock=timedelta(hours=72), profile=profile) == [2880, 60, 0]


def test_a_drill_sends_no_reminder_unless_it_asks_for_them(team, due_in, smtp_server):
    with time_machine.travel(NOW - timedelta(hours=30), tick=False):
        due_in(team["owner"], timedelta(0), is_drill=True)
        asking = due_in(team["owner"], timedelta(0), is_drill=True, drill_alerts=True)
    assert _tick(NOW - timedelta(hours=24)) == 1
    assert Reminder.objects.get().obligation.incident == asking
    assert all(subject.startswith("[DRILL] ") for subject in _subjects(smtp_server, "leo_legal@example.org"))


def test_people_with_a_phone_also_get_an_sms_and_everyone_sees_the_alert_in_the_header(
        client, team, due_in, smtp_server, twilio_server):
    UserPreference.objects.create(user=team["legal"], phone="+14155550100", language="zh-hans",
                                  time_zone="Asia/Shanghai")
    with time_machine.travel(NOW - timedelta(hours=30), tick=False):
        incident = due_in(team["owner"], timedelta(0))
    assert _tick(NOW - timedelta(hours=6)) == 1
    [sms] = twilio_server.messages
    assert sms.to == "+14155550100" and incident.ref in sms.body and "6 小时 0 分钟" in sms.body
    [mail] = smtp_server.messages_to("leo_legal@example.org")
    assert "2026年6月10日" in mail.text or "10 Jun 2026 20:00" in mail.text
    assert InAppAlert.objects.filter(read_at=None).count() == 2
    client.force_login(team["owner"])
    assert "1 new" in client.get("/").content.decode()
    client.post("/alerts/read/")
    assert "1 new" not in client.get("/").content.decode()


def test_nobody_inactive_or_outside_the_legal_group_is_alerted(team, due_in, smtp_server, outsider):
    User.objects.filter(pk=team["legal"].pk).update(is_active=False)
    outsider.email = "oscar@example.org"
    outsider.save()
    Group.objects.get(name="responder").user_set.add(outsider)
    with time_machine.travel(NOW - timedelta(hours=30), tick=False):
        due_in(team["owner"], timedelta(0))
    _tick(NOW - timedelta(hours=24))
    assert [mail.rcpt_tos for mail in smtp_server.messages] == [["rita_responder@example.org"]]
