"""The long commands draw a progress bar on a terminal and write nothing more than before when their output
is not one (cron, CI, a pipe): ``import_recipients``, ``send_notice`` and ``letters_pdf``."""

from __future__ import annotations

import io
import os
import pty
import threading

import pytest
from django.core.management import call_command

from notifications.models import Delivery, Recipient
from tests.notifications.delivery_helpers import approved_notice, people, person

pytestmark = pytest.mark.usefixtures("channels_configured")


class Terminal:
    """A pseudo-terminal: the command writes to its slave end as to a user's terminal, and a thread
    reads everything that appears on the master end (so a long bar never fills the pty's buffer)."""

    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        self.stream = os.fdopen(slave, "w", encoding="utf-8")
        self.chunks: list[bytes] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # the slave end is closed: everything was read
                return
            if not chunk:
                return
            self.chunks.append(chunk)

    def screen(self) -> str:
        self.stream.close()
        self.reader.join(timeout=10)
        os.close(self.master)
        return b"".join(self.chunks).decode("utf-8", "replace")


def _people_file(tmp_path, count: int):
    path = tmp_path / "people.csv"
    rows = "".join(f"c-{index},c{index}@example.org,DE\n" for index in range(count))
    path.write_text("external_id,email,jurisdiction\n" + rows + "bad,,DE\n", encoding="utf-8")
    return path


def test_import_recipients_draws_rows_read_imported_and_rejected_on_a_terminal(tmp_path, incident, responder):
    terminal = Terminal()
    out = io.StringIO()

    call_command("import_recipients", incident.ref, str(_people_file(tmp_path, 40)), "--as", responder.username,
                 stdout=out, stderr=terminal.stream)

    screen = terminal.screen()
    assert "rows read" in screen
    assert "41/41" in screen
    assert "40 imported, 1 rejected" in screen
    assert "imported: 40" in out.getvalue() and "rows read" not in out.getvalue()
    assert Recipient.objects.count() == 40


def test_import_recipients_writes_only_its_summary_when_the_output_is_not_a_terminal(tmp_path, incident, responder):
    out, err = io.StringIO(), io.StringIO()

    call_command("import_recipients", incident.ref, str(_people_file(tmp_path, 40)), "--as", responder.username,
                 stdout=out, stderr=err)

    assert err.getvalue() == ""
    assert out.getvalue().splitlines()[:2] == ["imported: 40", "rejected: 1"]


def test_send_notice_draws_the_deliveries_it_writes_on_a_terminal_and_nothing_through_a_pipe(legal, incident):
    people(incident, 5)
    terminal, quiet = Terminal(), io.StringIO()
    first, second = approved_notice(incident), approved_notice(incident)

    call_command("send_notice", str(first.pk), "--as", legal.username, stdout=io.StringIO(), stderr=terminal.stream)
    call_command("send_notice", str(second.pk), "--as", legal.username, stdout=io.StringIO(), stderr=quiet)

    screen = terminal.screen()
    assert "deliveries" in screen
    assert f"{Delivery.objects.filter(notice=first).count()} deliveries" in screen
    assert quiet.getvalue() == ""
    assert Delivery.objects.filter(notice=second).count() == Delivery.objects.filter(notice=first).count() == 15


def test_letters_pdf_draws_the_letters_laid_out_on_a_terminal_and_nothing_through_a_pipe(
    tmp_path, legal, incident, profile
):
    notice = approved_notice(incident, channels=("email", "letter"))
    for index in range(3):
        person(incident, f"post-{index}", postal_address=f"{index} Main Street").save()
    call_command("send_notice", str(notice.pk), "--as", legal.username, stdout=io.StringIO(), stderr=io.StringIO())
    terminal, quiet = Terminal(), io.StringIO()

    call_command("letters_pdf", str(notice.pk), str(tmp_path / "a.pdf"), "--as", legal.username,
                 stdout=io.StringIO(), stderr=terminal.stream)
    call_command("letters_pdf", str(notice.pk), str(tmp_path / "b.pdf"), "--as", legal.username,
                 stdout=io.StringIO(), stderr=quiet)

    screen = terminal.screen()
    assert "letters" in screen and "3/3" in screen
    assert quiet.getvalue() == ""
    assert (tmp_path / "a.pdf").read_bytes()[:5] == (tmp_path / "b.pdf").read_bytes()[:5] == b"%PDF-"
