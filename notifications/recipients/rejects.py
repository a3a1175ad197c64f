"""The rejects report: one line per rejected row and per row kept with a dropped contact."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

REJECTS_HEADER = ("row", "external_id", "outcome", "reason")


class Rejects:
    """The rejects report: one line per rejected row and per row kept with a dropped contact."""

    def __init__(self, stream: IO[str]):
        self._writer = csv.writer(stream)
        self._writer.writerow(REJECTS_HEADER)
        self._pending: list[tuple[int, str, str, str]] = []

    def add(self, number: int, external_id: str, outcome: str, reasons: list[str]) -> None:
        self._pending.append((number, neutralise(external_id), outcome, "; ".join(reasons)))

    def flush(self) -> None:
        self._writer.writerows(sorted(self._pending))
        self._pending.clear()


def neutralise(value: str) -> str:
    # The report is opened in spreadsheets: a cell starting like a formula must stay text.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def rejects_path_for(path: str | Path) -> Path:
    return Path(f"{path}.rejects.csv")
