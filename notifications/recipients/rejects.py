"""The rejects report: one line per rejected row and per row kept with a dropped contact."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import IO

from incidents.spreadsheet import neutralise

# A rejected id may hold what was rejected (a NUL byte, a lone surrogate): shown as U+FFFD.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
REJECTS_HEADER = ("row", "external_id", "outcome", "reason")


class Rejects:
    """The rejects report: one line per rejected row and per row kept with a dropped contact."""

    def __init__(self, stream: IO[str]):
        self._writer = csv.writer(stream)
        self._writer.writerow(REJECTS_HEADER)
        self._pending: list[tuple[int, str, str, str]] = []

    def add(self, number: int, external_id: str, outcome: str, reasons: list[str]) -> None:
        self._pending.append((number, neutralise(_UNPRINTABLE.sub("\ufffd", external_id)), outcome, "; ".join(reasons)))

    def flush(self) -> None:
        self._writer.writerows(sorted(self._pending))
        self._pending.clear()


def rejects_path_for(path: str | Path) -> Path:
    return Path(f"{path}.rejects.csv")
