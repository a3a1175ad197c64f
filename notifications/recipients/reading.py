"""Reading a file of affected people: CSV with a header row, or JSON Lines, one numbered row at a time.

A problem with the file as a whole (unknown or repeated columns, not UTF-8, not CSV) is an
``ImportFormatError`` and nothing is imported; a line that is not a row at all is a ``BadLine``,
rejected on its own.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from notifications.recipients import reasons
from notifications.recipients.rows import COLUMNS, REQUIRED_COLUMNS, unknown_columns


class ImportFormatError(ValueError):
    """The file as a whole cannot be imported (unknown columns, not CSV / JSON Lines, not UTF-8)."""


@dataclass(frozen=True)
class BadLine:
    """A line that is not a row at all (JSON Lines: not a JSON object); rejected with ``reason``."""

    reason: str


def refuse_unknown(names) -> None:
    unknown = unknown_columns(names)
    if unknown:
        raise ImportFormatError(reasons.UNKNOWN_COLUMNS % {"columns": ", ".join(unknown), "allowed": ", ".join(COLUMNS)})


def rows_from_csv(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """Yield (row number, row) from CSV with a header row; row 1 is the first data row."""
    reader = csv.reader(stream, strict=True)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportFormatError(reasons.EMPTY_FILE) from None
    refuse_unknown(header)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ImportFormatError(reasons.REPEATED_COLUMNS % {"columns": ", ".join(repeated)})
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportFormatError(reasons.MISSING_COLUMNS % {"columns": ", ".join(missing)})
    for number, values in enumerate(_records(reader), start=1):
        if len(values) > len(header):
            yield number, BadLine(reasons.TOO_MANY_VALUES % {"values": len(values), "columns": len(header)})
        elif "".join(values).strip():
            yield number, dict(zip(header, values, strict=False))
        else:
            yield number, BadLine(reasons.EMPTY_ROW)


def _records(reader) -> Iterator[list[str]]:
    """The reader's records; a syntax error (a quote opened and never closed, which would swallow
    every later row into one value) refuses the file, naming the line where that record starts."""
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFormatError(reasons.UNCLOSED_QUOTE % {"line": start, "error": exc}) from exc
        yield values
        start = reader.line_num + 1


def rows_from_jsonl(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """Yield (line number, object) from JSON Lines; blank lines are skipped but keep their number."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            yield number, BadLine(reasons.NOT_JSON)
            continue
        if not isinstance(value, dict):
            yield number, BadLine(reasons.NOT_JSON_OBJECT)
            continue
        refuse_unknown(value)
        yield number, value


def rows_from_stream(stream: IO[str], *, name: str) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """Pick the reader by extension (.jsonl / .ndjson / .json: JSON Lines, else CSV)."""
    if Path(name).suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return rows_from_jsonl(stream)
    return rows_from_csv(stream)


def numbered(rows: Iterable[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Number plain dicts 1, 2, ... and refuse unknown keys (for callers that build rows in code)."""
    for number, row in enumerate(rows, start=1):
        refuse_unknown(row)
        yield number, row


def decoded(rows: Iterator) -> Iterator:
    """Turn a decoding or CSV-syntax failure anywhere in the stream into a file-level error."""
    try:
        yield from rows
    except UnicodeDecodeError as exc:
        raise ImportFormatError(reasons.NOT_UTF8 % {"error": exc.reason}) from exc
    except csv.Error as exc:
        raise ImportFormatError(reasons.NOT_CSV % {"error": exc}) from exc
