"""The mail house's batch of printed letters: the service, the API and ``manage.py letters_pdf``, read back with pypdf."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from incidents.audit import AuditEvent
from incidents.errors import Conflict
from notifications.delivery import letters, sending
from notifications.models import Delivery, Recipient
from tests.notifications.delivery_helpers import approved_notice, people, person
from tests.notifications.test_import_command import run
from tests.notifications.test_pdf import TRUETYPE_MAGIC, font_files, zenhei_files

# Sending refuses a channel that cannot send; these tests need every channel configured.
pytestmark = pytest.mark.usefixtures("channels_configured")

MM = 72 / 25.4
GRACE = {"name": "Grace Hopper", "postal_address": "1 Navy Way\nArlington, VA 22202"}
LI = {"name": "李雷", "postal_address": "上海市浦东新区世纪大道100号"}


@pytest.fixture
def notice(incident, profile):
    return approved_notice(incident, channels=("email", "sms", "push", "letter"), languages=("en", "zh-hans"))


@pytest.fixture
def flagged(legal, incident, notice) -> dict[str, Recipient]:
    """Grace (English) and Li (Chinese) have only a postal address, so sending flags them for a
    letter; two people with e-mail and one with e-mail and an address are reached electronically."""
    person(incident, "grace", **GRACE).save()
    person(incident, "li", language="zh-hans", **LI).save()
    people(incident, 2)
    person(incident, "both", name="Ada Lovelace", email="ada@example.org", postal_address="12 St James's Square").save()
    sending.notice_send(actor=legal, notice=notice)
    return {recipient.external_id: recipient for recipient in Recipient.objects.filter(external_id__in=["grace", "li"])}


def letters_in(data: bytes) -> list[str]:
    """The text of each letter: a letter starts on the page whose first line is the window's name."""
    names = {GRACE["name"], LI["name"]}
    texts: list[str] = []
    for page in PdfReader(io.BytesIO(data), strict=True).pages:
        text = page.extract_text()
        if text.splitlines()[0] in names:
            texts.append("")
        texts[-1] += text + "\n"
    return texts


def compact(text: str) -> str:
    return "".join(text.split())


def test_each_person_flagged_for_a_letter_gets_one_in_their_language_from_a_new_page(legal, notice, flagged):
    stream = io.BytesIO()

    count = letters.letters_pdf_write(actor=legal, notice=notice, stream=stream)

    grace, li = letters_in(stream.getvalue())
    assert count == 2
    assert grace.startswith("Grace Hopper\n1 Navy Way\nArlington, VA 22202\n")
    assert "Dear Grace Hopper," in grace and "What Happened" in grace and "Date of notice:" in grace
    assert flagged["grace"].personal_url in compact(grace)
    assert li.startswith("李雷\n上海市浦东新区世纪大道100号\n")
    assert "尊敬的李雷" in li and "发生了什么" in li and "What Happened" not in li
    assert flagged["li"].personal_url in compact(li)
    assert flagged["grace"].personal_url not in compact(li)


def test_the_chinese_letter_carries_its_font_so_any_printer_shows_it(legal, notice, flagged, zenhei):
    stream = io.BytesIO()

    letters.letters_pdf_write(actor=legal, notice=notice, stream=stream)

    grace, li = letters_in(stream.getvalue())
    assert li.startswith("李雷\n上海市浦东新区世纪大道100号\n")
    assert "尊敬的李雷" in li and "发生了什么" in li
    assert "Dear Grace Hopper," in grace
    embedded = zenhei_files(stream.getvalue())
    assert embedded and all(file and file.startswith(TRUETYPE_MAGIC) for file in embedded)
    assert not any("STSong" in name for name in font_files(stream.getvalue()))


def test_people_reached_electronically_get_no_letter(legal, notice, flagged):
    stream = io.BytesIO()
    letters.letters_pdf_write(actor=legal, notice=notice, stream=stream)

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(stream.getvalue())).pages)
    assert "Ada Lovelace" not in text and "St James" not in text
    assert "Person p0" not in text and "Person p1" not in text


def test_a_person_flagged_on_two_deliveries_gets_one_letter(legal, notice, flagged):
    Delivery.objects.filter(recipient=flagged["grace"]).update(needs_printed_letter=True)
    stream = io.BytesIO()

    assert letters.letters_pdf_write(actor=legal, notice=notice, stream=stream) == 2
    assert len(letters_in(stream.getvalue())) == 2


def test_the_address_sits_in_the_window_of_a_din_envelope(legal, notice, flagged):
    stream = io.BytesIO()
    letters.letters_pdf_write(actor=legal, notice=notice, stream=stream)
    first_page = PdfReader(io.BytesIO(stream.getvalue())).pages[0]
    placed = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            placed.append((text.strip(), tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    first_page.extract_text(visitor_text=visit)
    name, x, baseline = placed[0]
    from_top = (float(first_page.mediabox.height) - baseline) / MM
    assert name == "Grace Hopper"
    assert round(x / MM) == 20
    assert 45 < from_top < 52


def test_printing_letters_is_audited_with_counts_and_no_personal_details(legal, notice, flagged):
    letters.letters_pdf_write(actor=legal, notice=notice, stream=io.BytesIO())

    event = AuditEvent.objects.get(action="notice.letters_printed")
    assert event.actor == legal
    assert event.payload == {"notice": notice.pk, "letters": 2, "pages": event.payload["pages"],
                             "languages": {"en": 1, "zh-hans": 1}}
    assert event.payload["pages"] >= 2


def test_seeing_contact_details_is_needed_as_well_as_exporting_deliveries(notice, flagged):
    exporter = User.objects.create_user("eve_exporter")
    exporter.user_permissions.add(Permission.objects.get(codename="export_delivery"))

    with pytest.raises(PermissionDenied, match="view_recipient_contact"):
        letters.letters_pdf_write(actor=exporter, notice=notice, stream=io.BytesIO())
    assert not AuditEvent.objects.filter(action="notice.letters_printed").exists()


def test_without_anyone_flagged_nothing_is_written(legal, incident, notice):
    people(incident, 2)
    sending.notice_send(actor=legal, notice=notice)
    stream = io.BytesIO()

    with pytest.raises(Conflict, match="Nobody is flagged"):
        letters.letters_pdf_write(actor=legal, notice=notice, stream=stream)
    assert stream.getvalue() == b""


def test_legal_downloads_the_batch_as_a_pdf_attachment(api_as, legal, notice, flagged):
    response = api_as(legal).get(f"/api/notices/{notice.pk}/letters.pdf", HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="notice-{notice.pk}-letters.pdf"'
    assert len(letters_in(b"".join(response.streaming_content))) == 2


def test_an_outsider_and_a_responder_cannot_download_the_letters(api_as, outsider, responder, notice, flagged):
    assert api_as(outsider).get(f"/api/notices/{notice.pk}/letters.pdf").status_code == 403
    assert api_as(responder).get(f"/api/notices/{notice.pk}/letters.pdf").status_code == 403
    assert not AuditEvent.objects.filter(action="notice.letters_printed").exists()


def test_the_api_answers_409_when_nobody_is_flagged(api_as, legal, notice):
    response = api_as(legal).get(f"/api/notices/{notice.pk}/letters.pdf")

    assert response.status_code == 409
    assert "Nobody is flagged" in response.json()["detail"]


def test_the_command_writes_the_batch_and_prints_one_line(tmp_path, legal, notice, flagged, capsys):
    output = tmp_path / "letters.pdf"

    assert run("letters_pdf", str(notice.pk), str(output), "--as", legal.username) == 0

    assert capsys.readouterr().out == f"Notice {notice.pk}: 2 letters written to {output}\n"
    assert len(letters_in(output.read_bytes())) == 2
    assert [path.name for path in tmp_path.iterdir()] == ["letters.pdf"]
    assert AuditEvent.objects.get(action="notice.letters_printed").actor == legal


def test_the_command_refuses_a_user_without_the_permission_to_print(tmp_path, responder, notice, flagged, capsys):
    assert run("letters_pdf", str(notice.pk), str(tmp_path / "letters.pdf"), "--as", responder.username) == 1

    assert "to print letters" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_command_exits_1_when_nobody_is_flagged_and_leaves_no_file(tmp_path, legal, incident, notice, capsys):
    people(incident, 1)
    sending.notice_send(actor=legal, notice=notice)

    assert run("letters_pdf", str(notice.pk), str(tmp_path / "letters.pdf"), "--as", legal.username) == 1

    assert "Nobody is flagged for a printed letter" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_command_exits_1_for_an_unknown_notice(tmp_path, legal, capsys):
    assert run("letters_pdf", "999", str(tmp_path / "letters.pdf"), "--as", legal.username) == 1
    assert "No notice 999." in capsys.readouterr().err
