"""The incident's notices list tells notices apart (audience, authority, due time) and drafting that makes
nothing says why."""

from __future__ import annotations

from django.urls import reverse

from incidents.obligations import obligation_exempt


def test_each_notice_row_names_its_audience_its_authority_and_its_due_time(client, responder, drafted):
    incident = drafted[0].incident
    client.force_login(responder)
    page = client.get(reverse("notifications:incident-notices", args=[incident.ref])).content.decode()
    regulator_duty = next(duty for notice in drafted if notice.audience == "regulator"
                          for duty in notice.obligations.all() if duty.due_at)
    assert regulator_duty.authority in page
    assert regulator_duty.due_at.strftime("%H:%M") in page or "UTC" in page
    assert ">Regulator<" in page and ">Individuals<" in page
    assert ">individuals<" not in page, "codes are shown by their labels"


def test_drafting_again_says_every_duty_already_has_its_notice(client, responder, drafted):
    incident = drafted[0].incident
    client.force_login(responder)
    answer = client.post(reverse("notifications:incident-notices-draft", args=[incident.ref]), follow=True)
    text = answer.content.decode()
    assert "0 notice(s) drafted." in text
    assert "open duties already have their notice." in text


def test_drafting_says_which_duties_are_met_or_exempt(client, legal, responder, assessed_incident):
    for duty in assessed_incident.obligations.filter(applies=True):
        obligation_exempt(actor=legal, obligation=duty, reason="Handled by the parent company's filing.")
    client.force_login(responder)
    text = client.post(reverse("notifications:incident-notices-draft", args=[assessed_incident.ref]),
                       follow=True).content.decode()
    assert "0 notice(s) drafted." in text and "duties are already met or exempt." in text
