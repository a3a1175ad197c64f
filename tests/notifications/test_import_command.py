"""``manage.py import_recipients REF FILE``: exit codes, summary, rejects path."""

from __future__ import annotations

import sys

from django.core.management import CommandError, call_command

from incidents.models import AuditEvent
from notifications.models.recipient import Recipient


def run(*argv: str) -> int:
    """Run the command and return the exit code ``manage.py`` gives it (BaseCommand.run_from_argv
    exits with a CommandError's returncode after printing it; it also closes the database
    connections, which would end the test's transaction, hence not calling it here)."""
    try:
        call_command(*argv)
    except CommandError as exc:
        sys.stderr.write(f"CommandError: {exc}\n")
        return exc.returncode
    return 0


def test_the_command_exits_0_when_any_row_was_imported(tmp_path, incident, responder, capsys):
    path = tmp_path / "people.csv"
    path.write_text("external_id,email,jurisdiction\nc-1,ada@example.org,DE\nc-2,,DE\n", encoding="utf-8")

    assert run("import_recipients", incident.ref, str(path), "--as", responder.username) == 0

    out = capsys.readouterr().out
    assert "imported: 1" in out
    assert "rejected: 1" in out
    assert f"rejects: {path}.rejects.csv" in out
    assert (tmp_path / "people.csv.rejects.csv").exists()
    assert Recipient.objects.count() == 1


def test_the_command_exits_1_when_no_row_was_imported(tmp_path, incident, responder, capsys):
    path = tmp_path / "people.csv"
    path.write_text("external_id,email,jurisdiction\nc-1,not-an-address,DE\n", encoding="utf-8")

    assert run("import_recipients", incident.ref, str(path), "--as", responder.username) == 1

    captured = capsys.readouterr()
    assert "imported: 0" in captured.out
    assert "No row was imported" in captured.err


def test_the_command_exits_1_on_unknown_columns_and_names_them(tmp_path, incident, responder, capsys):
    path = tmp_path / "people.csv"
    path.write_text("external_id,jurisdiction,salary\nc-1,DE,1\n", encoding="utf-8")
    assert run("import_recipients", incident.ref, str(path), "--as", responder.username) == 1
    assert "salary" in capsys.readouterr().err


def test_the_command_refuses_an_unknown_incident(tmp_path, responder, capsys):
    path = tmp_path / "people.csv"
    path.write_text("external_id,jurisdiction\n", encoding="utf-8")
    assert run("import_recipients", "INC-1999-0001", str(path), "--as", responder.username) == 1
    assert "No incident INC-1999-0001" in capsys.readouterr().err


def test_the_command_records_the_user_it_acts_for(tmp_path, incident, responder):
    path = tmp_path / "people.csv"
    path.write_text("external_id,email,jurisdiction\nc-1,ada@example.org,DE\n", encoding="utf-8")
    assert run("import_recipients", incident.ref, str(path), "--as", responder.username) == 0
    assert AuditEvent.objects.get(action="recipients.imported").actor == responder


def test_the_command_prints_json_on_request(tmp_path, incident, responder, capsys):
    path = tmp_path / "people.csv"
    path.write_text("external_id,email,jurisdiction\nc-1,ada@example.org,DE\n", encoding="utf-8")
    assert run("import_recipients", incident.ref, str(path), "--as", responder.username, "--json") == 0
    assert '"imported": 1' in capsys.readouterr().out


def test_the_command_acts_with_the_permissions_of_the_user_it_runs_as(tmp_path, incident, outsider, capsys):
    path = tmp_path / "people.csv"
    path.write_text("external_id,email,jurisdiction\nc-1,ada@example.org,DE\n", encoding="utf-8")

    assert run("import_recipients", incident.ref, str(path), "--as", outsider.username) == 1

    assert "notifications.import_recipients" in capsys.readouterr().err
    assert Recipient.objects.count() == 0


def test_the_command_refuses_a_user_that_does_not_exist(tmp_path, incident, capsys):
    path = tmp_path / "people.csv"
    path.write_text("external_id,email,jurisdiction\nc-1,ada@example.org,DE\n", encoding="utf-8")

    assert run("import_recipients", incident.ref, str(path), "--as", "nobody") == 1

    assert "No active user 'nobody'" in capsys.readouterr().err
