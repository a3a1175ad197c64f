"""Importing affected people: streaming, checked row by row, de-duplicated, written in batches.

Memory stays flat whatever the file size: rows are read one at a time, checked,
and written ``BATCH_SIZE`` at a time (PostgreSQL: ``COPY`` into the table; other
databases: ``bulk_create``). Duplicates are found per batch against the batch
itself and the rows already stored, through the indexed external id and keyed
hashes, so nothing grows with the file. The whole import is one transaction:
a file refused half-way (an unknown JSON key on line 900,000) leaves nothing behind.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from incidents.audit import audit_record
from incidents.errors import Conflict
from incidents.models import Incident, IncidentState
from incidents.services import incident_record_identified
from notifications.models.recipient import Recipient, new_personal_token, sealed_columns
from notifications.recipient_rows import (
    COLUMNS,
    MAX_EXTERNAL_ID,
    REQUIRED_COLUMNS,
    ParsedRow,
    row_parse,
    unknown_columns,
)

BATCH_SIZE = 2000
COPY_BATCH_SIZE = 20000
# Rows per unit of work for the checking processes: large enough that handing a chunk
# over costs little next to checking it, small enough that few are held at once.
CHECK_CHUNK_ROWS = 2000
REJECTS_HEADER = ("row", "external_id", "outcome", "reason")


class ImportFormatError(ValueError):
    """The file as a whole cannot be imported (unknown columns, not CSV / JSON Lines, not UTF-8)."""


@dataclass(frozen=True)
class BadLine:
    """A line that is not a row at all (JSON Lines: not a JSON object); rejected with ``reason``."""

    reason: str


@dataclass
class ImportSummary:
    imported: int = 0
    rejected: int = 0
    kept_with_warnings: int = 0
    per_jurisdiction: Counter = field(default_factory=Counter)
    identified: dict[str, int] = field(default_factory=dict)
    rejects_path: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "rejected": self.rejected,
            "kept_with_warnings": self.kept_with_warnings,
            "per_jurisdiction": dict(sorted(self.per_jurisdiction.items())),
            "identified": dict(sorted(self.identified.items())),
            "rejects_path": self.rejects_path,
        }


# Reading --------------------------------------------------------------------------------


def _refuse_unknown(names) -> None:
    unknown = unknown_columns(names)
    if unknown:
        raise ImportFormatError(
            f"Unknown column(s): {', '.join(unknown)}. Allowed columns: {', '.join(COLUMNS)}. "
            "Nothing was imported."
        )


def rows_from_csv(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """Yield (row number, row) from CSV with a header row; row 1 is the first data row."""
    reader = csv.reader(stream)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise ImportFormatError("The file is empty: a header row is needed.") from None
    _refuse_unknown(header)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ImportFormatError(f"Column(s) named twice: {', '.join(repeated)}. Nothing was imported.")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportFormatError(f"Missing required column(s): {', '.join(missing)}. Nothing was imported.")
    for number, values in enumerate(reader, start=1):
        if len(values) > len(header):
            yield number, BadLine(f"{len(values)} values for {len(header)} columns")
        elif "".join(values).strip():
            yield number, dict(zip(header, values, strict=False))
        else:
            yield number, BadLine("empty row")


def rows_from_jsonl(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """Yield (line number, object) from JSON Lines; blank lines are skipped but keep their number."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            yield number, BadLine("not valid JSON")
            continue
        if not isinstance(value, dict):
            yield number, BadLine("not a JSON object")
            continue
        _refuse_unknown(value)
        yield number, value


def rows_from_stream(stream: IO[str], *, name: str) -> Iterator[tuple[int, dict[str, Any] | BadLine]]:
    """Pick the reader by extension (.jsonl / .ndjson / .json: JSON Lines, else CSV)."""
    if Path(name).suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return rows_from_jsonl(stream)
    return rows_from_csv(stream)


def numbered(rows: Iterable[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Number plain dicts 1, 2, ... and refuse unknown keys (for callers that build rows in code)."""
    for number, row in enumerate(rows, start=1):
        _refuse_unknown(row)
        yield number, row


# Checking and writing -------------------------------------------------------------------

# The stored columns of a person, in the order the importer writes them.
_COLUMNS = tuple(f.attname for f in Recipient._meta.concrete_fields if not f.primary_key)

# What checking a chunk gives back, as plain tuples (they cross a process boundary, and
# pickling named tuples or model objects would cost more than checking the rows):
# a kept row is (number, external_id, jurisdiction, email_hash, phone_hash, stored, warnings),
# where ``stored`` is the row as a line of COPY text on PostgreSQL, else its columns in
# ``_COLUMNS`` order; a refused row is (number, external_id, reasons).
_KEYS = ("external_id", "email_hash", "phone_hash")
_KEY_AT = {"external_id": 1, "email_hash": 3, "phone_hash": 4}


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One field in PostgreSQL's COPY text format."""
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return _copy_text(value.isoformat() if isinstance(value, datetime) else str(value))


def _kept_row(number: int, parsed: ParsedRow, *, incident_id: int, created_at: datetime, copy_text: bool) -> tuple:
    values = parsed.values or {}
    token = new_personal_token()
    columns = {
        "incident_id": incident_id, "external_id": values["external_id"], "jurisdiction": values["jurisdiction"],
        "language": values["language"], "data_categories": values["data_categories"], "is_minor": values["is_minor"],
        "personal_token": token, "read_at": None, "created_at": created_at,
        **sealed_columns(values["contact"], is_minor=values["is_minor"], personal_token=token),
    }
    if copy_text:
        columns["data_categories"] = json.dumps(columns["data_categories"])
        stored: str | tuple = "\t".join([_copy_text(columns[name]) for name in _COLUMNS]) + "\n"
    else:
        stored = tuple(columns[name] for name in _COLUMNS)
    return (
        number, values["external_id"], values["jurisdiction"], columns["email_hash"], columns["phone_hash"], stored,
        parsed.warnings,
    )


def _check_chunk(chunk: list, *, incident_id: int, categories: list[str] | None, created_at: datetime,
                 copy_text: bool) -> tuple[list[tuple], list[tuple]]:
    """Check, seal and hash a chunk of numbered rows; return (kept, refused).

    Pure (no database), so it runs in worker processes.
    """
    kept, refused = [], []
    for number, raw in chunk:
        if isinstance(raw, BadLine):
            refused.append((number, "", [raw.reason]))
            continue
        parsed = row_parse(raw, incident_categories=categories)
        if parsed.accepted:
            kept.append(_kept_row(number, parsed, incident_id=incident_id, created_at=created_at, copy_text=copy_text))
        else:
            external_id = str(raw.get("external_id") or "").strip()[:MAX_EXTERNAL_ID]
            refused.append((number, external_id, parsed.errors + parsed.warnings))
    return kept, refused


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _checked(rows: Iterable, *, incident: Incident, workers: int) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """Yield (kept, refused) per chunk of rows, in file order, checking chunks in ``workers`` processes.

    Reading stays in this process (a CSV record may span lines, so the file cannot be
    split blindly) and at most two chunks per worker are in flight, so memory stays flat.
    A file of one chunk is checked here: starting processes would cost more than it saves.
    """
    check = partial(
        _check_chunk, incident_id=incident.pk, categories=list(incident.data_categories) or None,
        created_at=timezone.now(), copy_text=connection.vendor == "postgresql",
    )
    chunks = _chunks(rows, CHECK_CHUNK_ROWS)
    first = next(chunks, [])
    second = next(chunks, None)
    if workers <= 1 or second is None:
        for chunk in chain([first], [second] if second else [], chunks):
            yield check(chunk)
        return
    # fork: the workers inherit the loaded settings and keys; they never touch the database
    # connection they inherit, and leave through os._exit, which does not close it.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        pending: deque = deque()
        for chunk in chain([first, second], chunks):
            pending.append(pool.submit(check, chunk))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)


def import_workers() -> int:
    """Processes that check rows in a command-line import (``IMPORT_WORKERS``; default: one per core)."""
    configured = int(getattr(settings, "IMPORT_WORKERS", 0) or 0)
    return configured if configured > 0 else (os.cpu_count() or 1)


class _Rejects:
    """The rejects report: one line per rejected row and per row kept with a dropped contact."""

    def __init__(self, stream: IO[str]):
        self._writer = csv.writer(stream)
        self._writer.writerow(REJECTS_HEADER)
        self._pending: list[tuple[int, str, str, str]] = []

    def add(self, number: int, external_id: str, outcome: str, reasons: list[str]) -> None:
        self._pending.append((number, _neutralise(external_id), outcome, "; ".join(reasons)))

    def flush(self) -> None:
        self._writer.writerows(sorted(self._pending))
        self._pending.clear()


def _neutralise(value: str) -> str:
    # The report is opened in spreadsheets: a cell starting like a formula must stay text.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _existing(incident: Incident, batch: list[tuple]) -> dict[str, dict[str, str]]:
    """Return, per key, the stored values among this batch's (value -> external id that has it)."""
    found: dict[str, dict[str, str]] = {}
    for key in _KEYS:
        at = _KEY_AT[key]
        wanted = list({row[at] for row in batch} - {""})
        found[key] = dict(_stored_pairs(incident, key, wanted)) if wanted else {}
    return found


def _stored_pairs(incident: Incident, key: str, wanted: list[str]):
    if connection.vendor != "postgresql":
        return (
            Recipient.objects.filter(incident=incident, **{f"{key}__in": wanted})
            .exclude(**{key: ""})
            .values_list(key, "external_id")
        )
    # One parameter instead of 20,000 placeholders, and a JSON array rather than a SQL one:
    # 20,000 values cost 1 ms to send this way against 50 ms of quoting array elements.
    table = connection.ops.quote_name(Recipient._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key}, external_id FROM {table} "  # noqa: S608
            f"WHERE incident_id = %s AND {key} <> '' "
            f"AND {key} = ANY(ARRAY(SELECT jsonb_array_elements_text(%s::jsonb)))",
            [incident.pk, json.dumps(wanted)],
        )
        return cursor.fetchall()


_DUPLICATE_REASONS = {
    "external_id": "duplicate external_id ({where})",
    "email_hash": "duplicate e-mail address (same as external_id {other}, {where})",
    "phone_hash": "duplicate phone number (same as external_id {other}, {where})",
}


def _duplicate_reason(row: tuple, seen: dict[str, dict[str, str]], stored) -> str:
    for key, template in _DUPLICATE_REASONS.items():
        value = row[_KEY_AT[key]]
        if not value:
            continue
        if value in stored[key]:
            return template.format(other=stored[key][value], where="imported before")
        if value in seen[key]:
            return template.format(other=seen[key][value], where="earlier in this file")
    return ""


def _dedupe(incident: Incident, batch: list[tuple], rejects: _Rejects) -> list[tuple]:
    stored = _existing(incident, batch)
    seen: dict[str, dict[str, str]] = {key: {} for key in _KEYS}
    kept = []
    for row in batch:
        reason = _duplicate_reason(row, seen, stored)
        if reason:
            rejects.add(row[0], row[1], "rejected", [reason])
            continue
        for key in _KEYS:
            if value := row[_KEY_AT[key]]:
                seen[key][value] = row[1]
        kept.append(row)
    return kept


def _write_copy(rows: list[tuple]) -> None:
    """Write with PostgreSQL COPY: the rows arrive as lines of COPY text, sent as they are."""
    columns = ", ".join(connection.ops.quote_name(Recipient._meta.get_field(name).column) for name in _COLUMNS)
    table = connection.ops.quote_name(Recipient._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608
        copy.write("".join(row[5] for row in rows).encode("utf-8"))


def _write(rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        _write_copy(rows)
    else:
        Recipient.objects.bulk_create(
            [Recipient(**dict(zip(_COLUMNS, row[5], strict=True))) for row in rows], batch_size=BATCH_SIZE
        )


def batch_size() -> int:
    return COPY_BATCH_SIZE if connection.vendor == "postgresql" else BATCH_SIZE


def _flush(incident: Incident, batch: list[tuple], rejects: _Rejects, summary: ImportSummary) -> None:
    kept = _dedupe(incident, batch, rejects)
    if kept:
        _write(kept)
    for number, external_id, jurisdiction, _email_hash, _phone_hash, _stored, warnings in kept:
        summary.per_jurisdiction[jurisdiction] += 1
        if warnings:
            summary.kept_with_warnings += 1
            rejects.add(number, external_id, "kept", [f"{warning} (dropped)" for warning in warnings])
    summary.imported += len(kept)
    summary.rejected += len(batch) - len(kept)
    rejects.flush()


def _consume(incident: Incident, rows, rejects: _Rejects, summary: ImportSummary, *, workers: int) -> None:
    """Check chunk after chunk and write in batches; a batch ends only at a chunk's end, so the
    rejects report, sorted per batch, stays in row order."""
    size = batch_size()
    batch: list[tuple] = []
    for kept, refused in _checked(rows, incident=incident, workers=workers):
        for number, external_id, reasons in refused:
            rejects.add(number, external_id, "rejected", reasons)
        summary.rejected += len(refused)
        batch.extend(kept)
        if len(batch) >= size:
            _flush(incident, batch, rejects, summary)
            batch = []
    _flush(incident, batch, rejects, summary)


def identified_counts(incident: Incident) -> dict[str, int]:
    """Return {jurisdiction: number of recipients stored} for the incident."""
    rows = Recipient.objects.filter(incident=incident).values("jurisdiction").annotate(n=Count("id"))
    return {row["jurisdiction"]: row["n"] for row in rows}


# Namespace of the PostgreSQL advisory lock taken per incident while importing.
_IMPORT_LOCK_SPACE = 0x5245_4350


def _check_allowed(actor, incident: Incident) -> Incident:
    """Refuse an outsider or a closed incident; serialise imports into the same incident.

    Two imports into one incident must not both miss each other's duplicates, so they
    queue on an advisory lock (SQLite's IMMEDIATE transactions already serialise writers).
    The incident row itself is locked only at the end, when the counts are recorded: a
    long import does not hold up other work on the incident.
    """
    if actor is not None and not actor.has_perm("notifications.import_recipients"):
        raise PermissionDenied("You need the permission 'notifications.import_recipients' to import people.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::bigint)", [(_IMPORT_LOCK_SPACE << 32) | (incident.pk & 0xFFFFFFFF)])
    current = Incident.objects.get(pk=incident.pk)
    if current.state == IncidentState.CLOSED:
        raise Conflict(f"{current.ref} is closed: reopen it before importing affected people.")
    return current


@transaction.atomic
def recipients_import(
    *, actor, incident: Incident, rows: Iterable[tuple[int, dict[str, Any] | BadLine]], source_name: str,
    rejects_stream: IO[str], via: str = "api", workers: int = 1,
) -> ImportSummary:
    """Import numbered rows for ``incident`` and return the summary.

    1. Check the permission (``actor`` None means an operator at the command line) and the incident's state.
    2. Check each row (in ``workers`` processes), write kept rows in batches, report rejects and
       dropped contacts to ``rejects_stream``.
    3. Record the people identified per jurisdiction on the incident (obligations follow).
    4. Audit the counts and the file name, never a person's details.

    Raises PermissionDenied, Conflict (closed incident) or ImportFormatError (nothing is kept).
    """
    current = _check_allowed(actor, incident)
    summary = ImportSummary()
    _consume(current, rows, _Rejects(rejects_stream), summary, workers=workers)
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    summary.identified = identified_counts(locked)
    if summary.imported:
        locked = incident_record_identified(actor=actor, incident=locked, counts=summary.identified)
    audit_record(
        actor=actor, action="recipients.imported", incident=locked,
        payload={
            "source": os.path.basename(source_name), "via": via, "imported": summary.imported,
            "rejected": summary.rejected, "kept_with_warnings": summary.kept_with_warnings,
            "per_jurisdiction": dict(sorted(summary.per_jurisdiction.items())),
        },
    )
    return summary


def rejects_path_for(path: str | Path) -> Path:
    return Path(f"{path}.rejects.csv")


def recipients_import_file(
    *, actor, incident: Incident, path: str | Path, via: str = "command", workers: int = 1
) -> ImportSummary:
    """Import a CSV or JSON Lines file and write ``FILE.rejects.csv`` beside it.

    The report is written under a temporary name and renamed at the end, so a refused
    file leaves no half-written report behind. ``workers`` processes check the rows
    (the command line passes ``import_workers()``; a web request checks in its own process,
    since forking a threaded server is unsafe).
    """
    target = rejects_path_for(path)
    partial_report = target.with_name(target.name + ".partial")
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream, open(
            partial_report, "w", encoding="utf-8", newline=""
        ) as rejects:
            summary = recipients_import(
                actor=actor, incident=incident, rows=_decoded(rows_from_stream(stream, name=str(path))),
                source_name=str(path), rejects_stream=rejects, via=via, workers=workers,
            )
    except BaseException:
        partial_report.unlink(missing_ok=True)
        raise
    partial_report.replace(target)
    summary.rejects_path = str(target)
    return summary


def _decoded(rows: Iterator) -> Iterator:
    """Turn a decoding or CSV-syntax failure anywhere in the stream into a file-level error."""
    try:
        yield from rows
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"The file is not UTF-8 text ({exc.reason}). Nothing was imported.") from exc
    except csv.Error as exc:
        raise ImportFormatError(f"The file is not valid CSV ({exc}). Nothing was imported.") from exc


def recipients_import_upload(*, actor, incident: Incident, upload, via: str = "api") -> tuple[ImportSummary, str]:
    """Import an uploaded file (Django ``UploadedFile``); return the summary and the rejects CSV text."""
    stream = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
    rejects = io.StringIO()
    try:
        summary = recipients_import(
            actor=actor, incident=incident, rows=_decoded(rows_from_stream(stream, name=upload.name)),
            source_name=upload.name, rejects_stream=rejects, via=via,
        )
    finally:
        stream.detach()
    return summary, rejects.getvalue()
