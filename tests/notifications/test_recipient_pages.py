"""The server-rendered import page for an incident's affected people."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from incidents import services
from incidents.models import UserPreference
from notifications import tasks
from notifications.models import RecipientImport
from notifications.models.recipient import Recipient
from notifications.recipients.jobs import recipient_import_upload
from tests.conftest import AWARE_AT


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_declared_and_identified_counts(responder, incident):
    body = client_for(responder).get(f"/incidents/{incident.ref}/recipients/").content.decode()
    assert "Declared" in body and "Identified" in body
    assert "US-CA" in body
    assert 'type="file"' in body


def test_a_small_upload_is_imported_at_once_and_its_page_shows_the_rejects(responder, incident):
    upload = SimpleUploadedFile(
        "people.csv", b"external_id,email,jurisdiction\nc-1,ada@example.org,DE\nc-2,,DE\n", content_type="text/csv"
    )
    response = client_for(responder).post(f"/incidents/{incident.ref}/recipients/", {"file": upload}, follow=True)
    job = RecipientImport.objects.get(incident=incident)
    assert response.redirect_chain == [(f"/incidents/{incident.ref}/recipients/imports/{job.pk}/", 302)]
    body = response.content.decode()
    assert "Import of people.csv" in body and ">Done<" in body
    assert '<progress id="import-progress" max="2" value="2">' in body
    assert "no usable contact method" in body and "Full report as CSV" in body
    assert "hx-get" not in body, "an ended import is not polled"
    assert Recipient.objects.filter(incident=incident).count() == 1
    people_page = client_for(responder).get(f"/incidents/{incident.ref}/recipients/").content.decode()
    assert f'<a href="/incidents/{incident.ref}/recipients/imports/{job.pk}/">people.csv</a>' in people_page


def test_unknown_columns_are_shown_as_an_error(responder, incident):
    upload = SimpleUploadedFile("people.csv", b"external_id,jurisdiction,shoe\nc-1,DE,42\n", content_type="text/csv")
    response = client_for(responder).post(f"/incidents/{incident.ref}/recipients/", {"file": upload}, follow=True)
    body = response.content.decode()
    assert "Nothing was imported: Unknown column(s): shoe" in body
    assert RecipientImport.objects.get(incident=incident).status == "failed"


def test_a_large_upload_waits_for_a_worker_and_its_page_follows_it_to_the_result(responder, incident, settings):
    settings.IMPORT_IN_REQUEST_BYTES = 10
    upload = SimpleUploadedFile(
        "people.csv", b"external_id,email,jurisdiction\nc-1,ada@example.org,DE\nc-2,,DE\n", content_type="text/csv"
    )
    client = client_for(responder)
    page = client.post(f"/incidents/{incident.ref}/recipients/", {"file": upload}, follow=True).content.decode()
    job = RecipientImport.objects.get(incident=incident)
    progress_url = f"/incidents/{incident.ref}/recipients/imports/{job.pk}/progress/"
    assert "Waiting for a worker to start the import." in page
    assert f'hx-get="{progress_url}"' in page
    assert not Recipient.objects.filter(incident=incident).exists()

    assert tasks.recipients_import(job.pk) == "done"

    assert client.get(progress_url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    fragment = client.get(progress_url).content.decode()
    assert ">Done<" in fragment and "2 of about 2 rows read (100 %)" in fragment
    page = client.get(f"/incidents/{incident.ref}/recipients/imports/{job.pk}/").content.decode()
    assert "no usable contact method" in page and "1 person imported so far." in page


def test_another_incident_s_import_is_not_found(responder, incident, legal):
    other = services.incident_create(actor=responder, title="Other", aware_at=AWARE_AT, affected={"DE": 1},
                                     data_categories=["name"])
    job = RecipientImport.objects.create(incident=other, uploaded_by=responder, file_name="people.csv")
    assert client_for(legal).get(f"/incidents/{incident.ref}/recipients/imports/{job.pk}/").status_code == 404


def test_an_outsider_is_refused(outsider, incident):
    assert client_for(outsider).get(f"/incidents/{incident.ref}/recipients/").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(incident):
    response = Client().get(f"/incidents/{incident.ref}/recipients/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_chinese_reader_sees_why_the_worker_s_import_failed_in_chinese(responder, incident, settings):
    settings.IMPORT_IN_REQUEST_BYTES = 0
    upload = SimpleUploadedFile("people.csv", b"external_id,jurisdiction,email\nc-1,DE,ada@example.org\n")
    job = recipient_import_upload(actor=responder, incident=incident, upload=upload)
    job.start()
    job.save()
    with time_machine.travel(job.started_at + timedelta(seconds=settings.IMPORT_TASK_TIME_LIMIT + 61)):
        assert tasks.recipient_imports_sweep()["failed"] == 1
    UserPreference.objects.create(user=responder, language="zh-hans")
    try:
        page = client_for(responder).get(f"/incidents/{incident.ref}/recipients/imports/{job.pk}/").content.decode()
    finally:
        translation.deactivate()  # the test client runs the page in this thread: do not leak its language
    assert "未导入任何内容： 导入此文件的后台进程已停止，因此未导入任何内容：请重新上传。" in page


def test_a_chinese_reader_reads_each_rejected_row_s_reason_in_chinese_and_the_report_stays_english(
    responder, incident
):
    # The incident's categories are name, email_address and password (conftest).
    people = (
        "external_id,name,email,phone,jurisdiction,data_categories\n"
        "c-1,Ada,ada@example.org,,DE,name\n"
        "c-2,Bob,not-an-address,+4915112345678,DE,\n"
        "c-3,Cy,cy@example.org,,XX,\n"
        "c-1,Ada again,ada2@example.org,,DE,\n"
        "c-5,Di,ada@example.org,,DE,\n"
        "c-6,Ed,ed@example.org,,DE,ssn\n"
        "c-7,Flo,,,DE,\n"
    )
    UserPreference.objects.create(user=responder, language="zh-hans")
    client = client_for(responder)
    try:
        upload = SimpleUploadedFile("people.csv", people.encode(), content_type="text/csv")
        page = client.post(f"/incidents/{incident.ref}/recipients/", {"file": upload}, follow=True).content.decode()
    finally:
        translation.deactivate()  # the test client runs the page in this thread: do not leak its language
    job = RecipientImport.objects.get(incident=incident)
    for reason in (
        "email: 电子邮件地址无效（已舍弃）",
        "jurisdiction: 未知或缺失（请使用 ISO 3166-1 二字母代码，美国各州使用 US-XX）",
        "external_id 重复（本文件前面已出现）",
        "电子邮件地址重复（与 external_id c-1 相同，本文件前面已出现）",
        "data_categories: ssn 未记录在该事件中",
        "没有可用的联系方式（电子邮件、电话、推送或邮寄地址）",
    ):
        assert reason in page
    assert "已保留" in page and "已拒绝" in page
    report = job.rejects_csv()
    assert "email: invalid e-mail address (dropped)" in report and "duplicate external_id (earlier in this file)" in report
