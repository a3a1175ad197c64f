"""The notices REST API and pages, and the demo incident end to end."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from incidents.models import Incident
from notifications.models import Notice
from tests.notifications.conftest import CAUSE, complete
from tests.notifications.translating import notice_translate

KEYS = {"id", "incident", "audience", "jurisdictions", "languages", "channels", "version", "status", "checklist",
        "content_sha256"}


def draft(api_as, user, ref):
    return api_as(user).post(f"/api/incidents/{ref}/notices/draft/")


def test_a_responder_drafts_and_lists_notices(api_as, responder, assessed_incident):
    response = draft(api_as, responder, assessed_incident.ref)
    assert response.status_code == 201
    assert set(response.json()[0]) >= KEYS
    listed = api_as(responder).get(f"/api/incidents/{assessed_incident.ref}/notices/").json()
    assert [n["id"] for n in listed] == [n["id"] for n in response.json()]
    assert draft(api_as, responder, assessed_incident.ref).json() == []


def test_patch_replaces_elements_as_a_new_version_by_the_caller(api_as, legal, individual_notice):
    response = api_as(legal).patch(f"/api/notices/{individual_notice.pk}/",
                                   {"language": "zh-Hans", "elements": {"cause": "原因"}}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2 and body["incident"] == individual_notice.incident.ref
    assert individual_notice.versions.get(number=2).author == legal
    cause = next(item for item in body["checklist"] if item["code"] == "cause")
    assert cause["status"] == "missing" and cause["missing_languages"] == ["en", "de"]


@pytest.mark.parametrize("payload", [
    {"language": "fr", "elements": {"nature": "x"}},
    {"language": "en", "elements": {"no_such_element": "x"}},
    {"elements": {"nature": "x"}},
])
def test_bad_edits_are_400(api_as, responder, individual_notice, payload):
    assert api_as(responder).patch(f"/api/notices/{individual_notice.pk}/", payload, format="json").status_code == 400


def test_outsiders_get_403_and_a_responder_cannot_approve(api_as, outsider, responder, individual_notice):
    assert api_as(outsider).get(f"/api/notices/{individual_notice.pk}/").status_code == 403
    assert api_as(outsider).post(f"/api/incidents/{individual_notice.incident.ref}/notices/draft/").status_code == 403
    api_as(responder).post(f"/api/notices/{individual_notice.pk}/transitions/submit/")
    response = api_as(responder).post(f"/api/notices/{individual_notice.pk}/transitions/approve/")
    assert response.status_code == 403


def test_approving_with_a_missing_element_is_409_naming_it(api_as, responder, legal, individual_notice):
    api_as(responder).post(f"/api/notices/{individual_notice.pk}/transitions/submit/")
    response = api_as(legal).post(f"/api/notices/{individual_notice.pk}/transitions/approve/")
    assert response.status_code == 409
    assert "(cause)" in response.json()["detail"]
    assert api_as(legal).post(f"/api/notices/{individual_notice.pk}/transitions/publish/").status_code == 409


def test_preview_answers_with_the_message_itself(api_as, responder, individual_notice):
    client = api_as(responder)
    sms = client.get(f"/api/notices/{individual_notice.pk}/preview/?channel=sms&language=zh-Hans")
    assert sms["Content-Type"] == "text/plain; charset=utf-8"
    assert sms.content.decode().startswith("Example Cloud Services Pte. Ltd.：一起数据泄露事件涉及您的密码、用户名等。请在example.com修改密码。")
    html = client.get(f"/api/notices/{individual_notice.pk}/preview/?channel=email&language=en&part=html")
    assert html["Content-Type"].startswith("text/html") and b"<h1>Notice of Data Breach</h1>" in html.content
    raw = client.get(f"/api/notices/{individual_notice.pk}/preview/?channel=email&part=text&placeholders=1")
    assert "[[name]]" in raw.content.decode()
    assert client.get(f"/api/notices/{individual_notice.pk}/preview/?channel=fax").status_code == 400


def test_the_pages_show_the_editor_queue_and_diff(client: Client, responder, legal, individual_notice):
    client.force_login(responder)
    assert client.get(f"/incidents/{individual_notice.incident.ref}/notices/").status_code == 200
    page = client.get(f"/notices/{individual_notice.pk}/")
    assert page.status_code == 200 and "(cause)" in page.content.decode()
    client.post(f"/notices/{individual_notice.pk}/", {"language": "en", "cause": CAUSE["en"]})
    live = client.post(f"/notices/{individual_notice.pk}/live-preview/",
                       {"language": "en", "channel": "email", "nature": "<b>typed</b>"})
    assert b"&lt;b&gt;typed&lt;/b&gt;" in live.content
    diff = client.get(f"/notices/{individual_notice.pk}/diff/")
    assert "+An engineer made the snapshot public by mistake." in diff.content.decode()
    client.post(f"/notices/{individual_notice.pk}/transitions/submit/")
    client.force_login(legal)
    assert f"/notices/{individual_notice.pk}/" in client.get("/notices/queue/").content.decode()


def test_the_demo_incident_end_to_end(api_as, db):
    """A responder drafts, fills what the facts cannot say, submits; legal approves; the PDFs open."""
    call_command("seed_demo", stdout=io.StringIO())
    responder, legal = User.objects.get(username="responder"), User.objects.get(username="legal")
    ref = Incident.objects.get().ref
    notices = draft(api_as, responder, ref).json()
    assert {n["audience"] for n in notices} == {"individuals", "regulator"}
    for notice in notices:
        for item in notice["checklist"]:
            for language in item["missing_languages"]:
                response = api_as(responder).patch(f"/api/notices/{notice['id']}/", {
                    "language": language, "elements": {item["code"]: CAUSE[language]}}, format="json")
                assert response.status_code == 200
        notice_translate(Notice.objects.get(pk=notice["id"]), responder)
        assert api_as(responder).post(f"/api/notices/{notice['id']}/transitions/submit/").status_code == 200
        approved = api_as(legal).post(f"/api/notices/{notice['id']}/transitions/approve/")
        assert approved.status_code == 200, approved.json()
        body = approved.json()
        assert body["status"] == "approved" and body["content_sha256"] == body["approved_sha256"]
        pdf = api_as(legal).get(f"/api/notices/{notice['id']}/export.pdf")
        assert pdf["Content-Type"] == "application/pdf"
        text = " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())
        assert ref in text
        version = Notice.objects.get(pk=notice["id"]).current_version
        for item in body["checklist"]:
            if item["status"] == "present" and notice["audience"] == "regulator":
                written = " ".join(version.text("en", item["code"]).split())
                assert written[:30] in text, item["code"]


def test_four_eyes_by_authorship_in_the_api_and_the_page(client: Client, api_as, legal, second_legal,
                                                         individual_notice):
    """Legal wrote the cause; a colleague changed one character of it: neither may approve."""
    notice = complete(individual_notice, legal)
    cause = notice.current_version.text("en", "cause")
    api_as(second_legal).patch(f"/api/notices/{notice.pk}/", {"language": "en", "elements": {"cause": cause + "!"}},
                               format="json")
    api_as(second_legal).post(f"/api/notices/{notice.pk}/transitions/submit/")
    response = api_as(legal).post(f"/api/notices/{notice.pk}/transitions/approve/")
    assert response.status_code == 403
    assert "You wrote part of what changed since the last approval" in response.json()["detail"]
    assert Notice.objects.get(pk=notice.pk).status == "in_review"
    client.force_login(legal)
    page = client.get(f"/notices/{notice.pk}/").content.decode()
    assert "You wrote part of what changed since the last approval (" in page and "The cause of the breach, where known (en)" in page
    assert "/transitions/approve/" not in page
    refused = client.post(f"/notices/{notice.pk}/transitions/approve/", follow=True).content.decode()
    assert "four eyes" in refused
    assert Notice.objects.get(pk=notice.pk).status == "in_review"
