"""One CSV formula neutraliser for every file people open in a spreadsheet."""

from __future__ import annotations

import csv
import io

from incidents.spreadsheet import neutralise
from notifications.recipients.rejects import Rejects


def test_neutralise_quotes_every_formula_start():
    assert [neutralise(v) for v in ["=1", "+1", "-1", "@x", "\tx", "\rx", "ok", None, 5]] == [
        "'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "ok", "", "5"
    ]


def test_the_rejects_report_quotes_an_external_id_that_starts_with_tab_or_carriage_return():
    stream = io.StringIO()
    report = Rejects(stream)
    report.add(1, "\t=cmd", "rejected", ["bad"])
    report.add(2, "\r@x", "rejected", ["bad"])
    report.add(3, "c-3", "rejected", ["bad"])
    report.flush()

    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert [row[1] for row in rows[1:]] == ["'\t=cmd", "'\r@x", "c-3"]
