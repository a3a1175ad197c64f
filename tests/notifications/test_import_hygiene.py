"""Input hygiene at the importer's door: text that is not text, values that are not text,
and a CSV quote that never closes are refused out loud, never stored or silently dropped."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications.models.recipient import Recipient
from notifications.recipients.importing import recipients_import_file
from notifications.recipients.reading import ImportFormatError, rows_from_csv
from notifications.recipients.rows import COLUMNS, row_parse

GOOD = {"external_id": "c-1", "jurisdiction": "DE", "email": "ada@example.org"}


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("name", "Ada\x00Lovelace", "name: contains a NUL byte"),
        ("name", "x\udfff", "name: contains a lone surrogate, which is not text"),
        ("external_id", "c\x1b[2J-1", "external_id: contains a control character (U+001B)"),
        ("postal_address", "Hauptstr.\x7f 1", "postal_address: contains a control character (U+007F)"),
        ("name", {"first": "Ada"}, "name: an object or list where text is expected"),
        ("email", ["ada@example.org"], "email: an object or list where text is expected"),
    ],
)
def test_a_row_with_a_value_that_is_not_clean_text_is_rejected_naming_the_column(column, value, reason):
    result = row_parse({**GOOD, column: value})
    assert not result.accepted
    assert reason in result.errors


def test_tabs_and_line_breaks_in_a_postal_address_are_still_text():
    assert row_parse({**GOOD, "postal_address": "Hauptstr. 1\n10115\tBerlin"}).accepted


def test_a_lone_surrogate_in_a_json_lines_name_is_rejected_and_the_others_kept(tmp_path, responder, incident):
    path = tmp_path / "people.jsonl"
    path.write_text(
        '{"external_id": "p-1", "jurisdiction": "DE", "email": "a@example.org", "name": "x\\udfff"}\n'
        + json.dumps({"external_id": "p-2", "jurisdiction": "DE", "email": "b@example.org"}) + "\n"
    )
    summary = recipients_import_file(actor=responder, incident=incident, path=path)
    assert (summary.imported, summary.rejected) == (1, 1)
    assert list(Recipient.objects.values_list("external_id", flat=True)) == ["p-2"]


def _file_with_a_stray_quote() -> str:
    lines = ["external_id,name,email,jurisdiction"]
    for number in range(1, 102):
        name = '"Unclosed quote' if number == 51 else f"Person {number}"
        lines.append(f"c-{number},{name},p{number}@example.org,DE")
    return "\n".join(lines) + "\n"


def test_a_csv_quote_that_never_closes_refuses_the_file_naming_its_line(tmp_path, responder, incident):
    path = tmp_path / "people.csv"
    path.write_text(_file_with_a_stray_quote())
    with pytest.raises(ImportFormatError, match="line 52"):
        recipients_import_file(actor=responder, incident=incident, path=path)
    assert not Recipient.objects.exists()


def test_the_api_answers_400_for_the_stray_quote_and_the_command_exits_1(tmp_path, responder, incident, api_as):
    upload = SimpleUploadedFile("people.csv", _file_with_a_stray_quote().encode(), content_type="text/csv")
    response = api_as(responder).post(
        f"/api/incidents/{incident.ref}/recipients/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert "line 52" in json.dumps(response.json())
    path = tmp_path / "people.csv"
    path.write_text(_file_with_a_stray_quote())
    with pytest.raises(CommandError, match="line 52") as raised:
        call_command("import_recipients", incident.ref, str(path), "--user", responder.username)
    assert raised.value.returncode == 1
    assert not Recipient.objects.exists()


def test_a_quoted_multiline_address_is_still_one_row():
    stream = io.StringIO('external_id,postal_address,jurisdiction\nc-1,"Line 1\nLine 2",DE\nc-2,,DE\n')
    assert [number for number, _ in rows_from_csv(stream)] == [1, 2]


anything = st.one_of(
    st.none(), st.text(max_size=30), st.binary(max_size=20).map(lambda raw: raw.decode("latin-1")),
    st.integers(), st.floats(), st.booleans(), st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)


@given(rows=st.lists(st.dictionaries(st.sampled_from(COLUMNS), anything, max_size=6), min_size=1, max_size=6))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_json_lines_file_answers_without_a_500_and_every_row_is_imported_or_rejected(rows, responder, incident, api_as):
    Recipient.objects.filter(incident=incident).delete()
    body = "".join(json.dumps(row) + "\n" for row in rows)
    upload = SimpleUploadedFile("people.jsonl", body.encode(), content_type="application/x-ndjson")
    response = api_as(responder).post(f"/api/incidents/{incident.ref}/recipients/import/", {"file": upload}, format="multipart")
    assert response.status_code in (200, 201, 400), response.content[:300]
    if response.status_code != 400:
        summary = response.json()
        assert summary["imported"] + summary["rejected"] == len(rows)


@given(rows=st.lists(st.lists(st.text(max_size=12), min_size=4, max_size=4), min_size=1, max_size=6))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_csv_cells_answer_without_a_500_and_every_row_is_imported_or_rejected(rows, responder, incident, api_as):
    Recipient.objects.filter(incident=incident).delete()
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(["external_id", "name", "email", "jurisdiction"])
    writer.writerows(rows)
    upload = SimpleUploadedFile("people.csv", stream.getvalue().encode("utf-8", "surrogatepass"), content_type="text/csv")
    response = api_as(responder).post(f"/api/incidents/{incident.ref}/recipients/import/", {"file": upload}, format="multipart")
    assert response.status_code in (200, 201, 400), response.content[:300]
    if response.status_code != 400:
        summary = response.json()
        assert summary["imported"] + summary["rejected"] == len(rows)
