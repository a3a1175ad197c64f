"""Importing affected people: rejects report, kept rows, duplicates, counts, audit, streaming."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from incidents.models import AffectedPopulation, AuditEvent
from notifications.models.recipient import Recipient
from notifications.recipients.importing import recipients_import, recipients_import_file
from notifications.recipients.reading import ImportFormatError, numbered, rows_from_csv

HEADER = "external_id,name,email,phone,jurisdiction,language,data_categories,is_minor,guardian_email,postal_address"

# Every kind of bad row, and good ones around them. Row numbers count data rows from 1.
SEEDED = [
    "c-1,Ada,ada@example.org,+49 151 12345678,DE,en,name;email_address,,,",   # 1 good
    "c-2,Bob,bob@example.org,not a phone,DE,en,,,,",                          # 2 kept, phone dropped
    "c-3,Cy,,not a phone,DE,en,,,,",                                          # 3 bad phone, nothing left
    "c-4,Di,di@,,DE,en,,,,",                                                  # 4 bad e-mail, nothing left
    "c-5,Ed,ed@example.org,,XX,en,,,,",                                       # 5 unknown jurisdiction
    "c-6,Flo,flo@example.org,,DE,fr,,,,",                                     # 6 unknown language
    "c-7,Gil,,,DE,en,,,,",                                                    # 7 no contact at all
    "c-1,Hal,hal@example.org,,DE,en,,,,",                                     # 8 duplicate external id
    "c-9,Ida,ADA@example.org,,DE,en,,,,",                                     # 9 duplicate e-mail (case)
    "c-10,Jo,jo@example.org,,DE,en,name;bogus,,,",                            # 10 bad category code
    "c-11,Kim,kim@example.org,(415) 555-2671,US-CA,en,,,,",                   # 11 good, US number
    "c-12,Lu,,,US-CA,en,,yes,,",                                              # 12 minor without guardian
    "c-13,Mo,mo@example.org,,US-CA,en,,yes,parent@example.org,",              # 13 minor with guardian
    "c-14,Ned,,,DE,en,,,,Hauptstr. 1 Berlin",                                 # 14 letter only: good
    "c-15,Oz,oz@example.org,,DE,en,ssn,,,",                                   # 15 category not on incident
]

EXPECTED_REJECTS = [
    ["2", "c-2", "kept", "phone: unparseable phone number (dropped)"],
    ["3", "c-3", "rejected", "no usable contact method (e-mail, phone, push or postal address); phone: unparseable phone number"],
    ["4", "c-4", "rejected", "no usable contact method (e-mail, phone, push or postal address); email: invalid e-mail address"],
    ["5", "c-5", "rejected", "jurisdiction: unknown or missing (use ISO 3166-1 alpha-2, or US-XX for US states)"],
    ["6", "c-6", "rejected", "language: unknown (use one of en, zh-hans, de)"],
    ["7", "c-7", "rejected", "no usable contact method (e-mail, phone, push or postal address)"],
    ["8", "c-1", "rejected", "duplicate external_id (earlier in this file)"],
    ["9", "c-9", "rejected", "duplicate e-mail address (same as external_id c-1, earlier in this file)"],
    ["10", "c-10", "rejected", "data_categories: unknown code(s) bogus"],
    ["12", "c-12", "rejected", "no usable contact method (a minor needs a guardian e-mail or phone, or a postal address)"],
    ["15", "c-15", "rejected", "data_categories: ssn not recorded on the incident"],
]


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def read_rejects(path: str | Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


@pytest.fixture
def seeded(tmp_path, responder, incident):
    path = write(tmp_path, "people.csv", [HEADER, *SEEDED])
    return recipients_import_file(actor=responder, incident=incident, path=path)


def test_the_rejects_report_names_every_bad_row_with_its_number_and_reason(seeded, tmp_path):
    rows = read_rejects(tmp_path / "people.csv.rejects.csv")
    assert rows[0] == ["row", "external_id", "outcome", "reason"]
    assert rows[1:] == EXPECTED_REJECTS


def test_good_rows_are_kept_and_counted(seeded, incident):
    assert (seeded.imported, seeded.rejected, seeded.kept_with_warnings) == (5, 10, 1)
    assert dict(seeded.per_jurisdiction) == {"DE": 3, "US-CA": 2}
    assert set(Recipient.objects.filter(incident=incident).values_list("external_id", flat=True)) == {
        "c-1", "c-2", "c-11", "c-13", "c-14",
    }


def test_a_row_with_one_bad_and_one_good_contact_keeps_only_the_good_one(seeded, incident):
    bob = Recipient.objects.get(incident=incident, external_id="c-2")
    assert bob.email == "bob@example.org"
    assert bob.phone == ""
    assert bob.contact_for("sms") is None
    assert (bob.has_email, bob.has_sms) == (True, False)


def test_phones_are_stored_in_e164_using_the_country_of_residence(seeded, incident):
    assert Recipient.objects.get(incident=incident, external_id="c-1").phone == "+4915112345678"
    assert Recipient.objects.get(incident=incident, external_id="c-11").phone == "+14155552671"


def test_a_minors_notice_goes_to_the_guardian(seeded, incident):
    minor = Recipient.objects.get(incident=incident, external_id="c-13")
    assert minor.is_minor
    assert minor.contact_for("email") == "parent@example.org"


def test_the_incident_records_the_people_identified_per_jurisdiction(seeded, incident):
    populations = {row.jurisdiction: row for row in AffectedPopulation.objects.filter(incident=incident)}
    assert (populations["DE"].declared_count, populations["DE"].identified_count) == (1200, 3)
    assert (populations["US-CA"].declared_count, populations["US-CA"].identified_count) == (501, 2)
    assert seeded.identified == {"DE": 3, "US-CA": 2}


def test_the_import_is_audited_with_counts_and_no_personal_data(seeded, incident, responder):
    event = AuditEvent.objects.get(incident=incident, action="recipients.imported")
    assert event.actor == responder
    assert event.payload["source"] == "people.csv"
    assert (event.payload["imported"], event.payload["rejected"]) == (5, 10)
    assert "example.org" not in json.dumps(event.payload)
    assert "Ada" not in json.dumps(event.payload)


def test_a_second_import_finds_duplicates_among_people_already_stored(seeded, tmp_path, responder, incident):
    path = write(tmp_path, "more.csv", [
        "external_id,email,phone,jurisdiction",
        "c-1,new@example.org,,DE",
        "c-20,Ada@Example.org,,DE",
        "c-21,,+4915112345678,DE",
        "c-22,fresh@example.org,,DE",
    ])
    summary = recipients_import_file(actor=responder, incident=incident, path=path)
    assert summary.imported == 1
    assert read_rejects(f"{path}.rejects.csv")[1:] == [
        ["1", "c-1", "rejected", "duplicate external_id (imported before)"],
        ["2", "c-20", "rejected", "duplicate e-mail address (same as external_id c-1, imported before)"],
        ["3", "c-21", "rejected", "duplicate phone number (same as external_id c-1, imported before)"],
    ]
    assert summary.identified == {"DE": 4, "US-CA": 2}


def test_unknown_columns_refuse_the_whole_file(tmp_path, responder, incident):
    path = write(tmp_path, "bad.csv", ["external_id,email,jurisdiction,shoe_size,age", "c-1,a@example.org,DE,42,7"])
    with pytest.raises(ImportFormatError, match="Unknown column\\(s\\): age, shoe_size"):
        recipients_import_file(actor=responder, incident=incident, path=path)
    assert not Recipient.objects.exists()
    assert not Path(f"{path}.rejects.csv").exists()


def test_a_column_named_twice_refuses_the_file(tmp_path, responder, incident):
    path = write(tmp_path, "twice.csv", ["external_id,email,jurisdiction,email", "c-1,a@example.org,DE,b@example.org"])
    with pytest.raises(ImportFormatError, match="named twice: email"):
        recipients_import_file(actor=responder, incident=incident, path=path)


def test_missing_optional_columns_are_fine(tmp_path, responder, incident):
    path = write(tmp_path, "min.csv", ["jurisdiction,external_id,phone", "DE,m-1,015112345678"])
    summary = recipients_import_file(actor=responder, incident=incident, path=path)
    assert summary.imported == 1
    assert Recipient.objects.get(external_id="m-1").phone == "+4915112345678"


def test_json_lines_import_with_the_same_keys(tmp_path, responder, incident):
    lines = [
        json.dumps({"external_id": "j-1", "name": "Wen", "email": "wen@example.org", "jurisdiction": "CN",
                    "data_categories": "name;email_address", "is_minor": False}),
        "",
        "not json",
        json.dumps(["a", "list"]),
        json.dumps({"external_id": "j-2", "fcm_token": "tok-123", "jurisdiction": "SG", "language": "zh-Hans",
                    "webpush_endpoint": "https://push.example.org/abc", "webpush_p256dh": "key",
                    "webpush_auth": "auth"}),
    ]
    path = write(tmp_path, "people.jsonl", lines)
    summary = recipients_import_file(actor=responder, incident=incident, path=path)
    assert summary.imported == 2
    assert read_rejects(f"{path}.rejects.csv")[1:] == [
        ["3", "", "rejected", "not valid JSON"],
        ["4", "", "rejected", "not a JSON object"],
    ]
    wen = Recipient.objects.get(external_id="j-1")
    assert (wen.language, wen.data_categories) == ("zh-hans", ["name", "email_address"])
    push = Recipient.objects.get(external_id="j-2")
    assert push.language == "zh-hans"
    assert push.contact_for("push") == "tok-123"
    assert push.webpush_subscription == {
        "endpoint": "https://push.example.org/abc", "keys": {"p256dh": "key", "auth": "auth"},
    }


def test_an_unknown_json_key_late_in_the_file_refuses_everything(tmp_path, responder, incident):
    lines = [json.dumps({"external_id": f"j-{n}", "email": f"j{n}@example.org", "jurisdiction": "DE"})
             for n in range(5)]
    lines.append(json.dumps({"external_id": "j-x", "jurisdiction": "DE", "ssn": "123"}))
    path = write(tmp_path, "late.jsonl", lines)
    with pytest.raises(ImportFormatError, match="ssn"):
        recipients_import_file(actor=responder, incident=incident, path=path)
    assert not Recipient.objects.exists()


def test_outsiders_may_not_import(outsider, incident):
    with pytest.raises(PermissionDenied):
        recipients_import(
            actor=outsider, incident=incident, rows=numbered([]), source_name="x.csv", rejects_stream=io.StringIO()
        )


def test_a_file_that_is_not_utf8_is_refused(tmp_path, responder, incident):
    path = tmp_path / "latin1.csv"
    path.write_bytes("external_id,name,email,jurisdiction\nc-1,Jos\xe9,j@example.org,ES\n".encode("latin-1"))
    with pytest.raises(ImportFormatError, match="not UTF-8"):
        recipients_import_file(actor=responder, incident=incident, path=path)


def test_spreadsheet_formulas_in_the_rejects_report_are_neutralised(tmp_path, responder, incident):
    path = write(tmp_path, "f.csv", ["external_id,email,jurisdiction", "=HYPERLINK(1),x@example.org,XX"])
    recipients_import_file(actor=responder, incident=incident, path=path)
    assert read_rejects(f"{path}.rejects.csv")[1][1] == "'=HYPERLINK(1)"


def test_the_importer_streams_its_input_and_writes_before_it_ends(responder, incident):
    """A generator of 50,000 rows: batches reach the database while the generator is still running."""
    stored_when_last_row_was_read = []

    def people():
        for n in range(1, 50_001):
            if n == 50_000:
                stored_when_last_row_was_read.append(Recipient.objects.filter(incident=incident).count())
            yield {"external_id": f"s-{n}", "fcm_token": f"token-{n}", "jurisdiction": "DE"}

    summary = recipients_import(
        actor=responder, incident=incident, rows=numbered(people()), source_name="generated",
        rejects_stream=io.StringIO(),
    )
    assert summary.imported == 50_000
    assert stored_when_last_row_was_read[0] >= 40_000
    assert AffectedPopulation.objects.get(incident=incident, jurisdiction="DE").identified_count == 50_000


def test_rows_from_csv_counts_data_rows_from_one_even_across_multiline_values():
    stream = io.StringIO('external_id,postal_address,jurisdiction\nc-1,"Line 1\nLine 2",DE\nc-2,,DE\n')
    assert [number for number, _ in rows_from_csv(stream)] == [1, 2]


def test_checking_in_worker_processes_gives_the_same_result_as_in_one(tmp_path, responder, incident, monkeypatch):
    """Chunks of four rows in two processes: duplicates across chunks are still found, the report
    keeps row order, and the people stored are the same."""
    monkeypatch.setattr("notifications.recipients.importing.CHECK_CHUNK_ROWS", 4)
    path = write(tmp_path, "people.csv", [HEADER, *SEEDED])
    summary = recipients_import_file(actor=responder, incident=incident, path=path, workers=2)
    assert (summary.imported, summary.rejected, summary.kept_with_warnings) == (5, 10, 1)
    assert read_rejects(f"{path}.rejects.csv")[1:] == EXPECTED_REJECTS
    stored = {person.external_id: person for person in Recipient.objects.filter(incident=incident)}
    assert sorted(stored) == ["c-1", "c-11", "c-13", "c-14", "c-2"]
    assert stored["c-11"].phone == "+14155552671"
    assert stored["c-13"].guardian_email == "parent@example.org"


def test_any_text_in_an_external_id_is_stored_as_written(tmp_path, responder, incident):
    """Tabs, backslashes and line breaks are field and row separators in PostgreSQL's COPY text."""
    awkward = 'a\tb\\c\nd\re "quoted" \\N'
    path = tmp_path / "awkward.jsonl"
    path.write_text(json.dumps({"external_id": awkward, "email": "w@example.org", "jurisdiction": "DE"}) + "\n")
    assert recipients_import_file(actor=responder, incident=incident, path=path).imported == 1
    assert Recipient.objects.get(incident=incident).external_id == awkward
