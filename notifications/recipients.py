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
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count

from incidents.audit import audit_record
from incidents.errors import Conflict
from incidents.models import Incident, IncidentState
from incidents.services import incident_record_identified
from notifications.models.recipient import Recipient
from notifications.recipient_rows import COLUMNS, REQUIRED_COLUMNS, ParsedRow, row_parse, unknown_columns

BATCH_SIZE = 2000
COPY_BATCH_SIZE = 20000
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
        elif any(value.strip() for value in values):
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


@dataclass
class _Candidate:
    number: int
    recipient: Recipient
    warnings: list[str]


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


def _candidate(incident: Incident, number: int, parsed: ParsedRow) -> _Candidate:
    values = parsed.values or {}
    recipient = Recipient(
        incident_id=incident.pk, external_id=values["external_id"], jurisdiction=values["jurisdiction"],
        language=values["language"], is_minor=values["is_minor"], data_categories=values["data_categories"],
    )
    recipient.set_contact(**values["contact"])
    return _Candidate(number=number, recipient=recipient, warnings=parsed.warnings)


def _existing(incident: Incident, candidates: list[_Candidate]) -> dict[str, dict[str, str]]:
    """Return, per key, the stored values among this batch's (value -> external id that has it)."""
    recipients = [candidate.recipient for candidate in candidates]
    found: dict[str, dict[str, str]] = {}
    for key in ("external_id", "email_hash", "phone_hash"):
        wanted = list({getattr(recipient, key) for recipient in recipients} - {""})
        found[key] = dict(_stored_pairs(incident, key, wanted)) if wanted else {}
    return found


def _stored_pairs(incident: Incident, key: str, wanted: list[str]):
    if connection.vendor != "postgresql":
        return Recipient.objects.filter(incident=incident, **{f"{key}__in": wanted}).values_list(key, "external_id")
    # One array parameter instead of 20,000 placeholders: PostgreSQL plans it in a millisecond.
    table = connection.ops.quote_name(Recipient._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key}, external_id FROM {table} WHERE incident_id = %s AND {key} = ANY(%s)",  # noqa: S608
            [incident.pk, wanted],
        )
        return cursor.fetchall()


_DUPLICATE_REASONS = {
    "external_id": "duplicate external_id ({where})",
    "email_hash": "duplicate e-mail address (same as external_id {other}, {where})",
    "phone_hash": "duplicate phone number (same as external_id {other}, {where})",
}


def _duplicate_reason(recipient: Recipient, seen: dict[str, dict[str, str]], stored) -> str:
    for key, template in _DUPLICATE_REASONS.items():
        value = getattr(recipient, key)
        if not value:
            continue
        if value in stored[key]:
            return template.format(other=stored[key][value], where="imported before")
        if value in seen[key]:
            return template.format(other=seen[key][value], where="earlier in this file")
    return ""


def _dedupe(incident: Incident, candidates: list[_Candidate], rejects: _Rejects) -> list[_Candidate]:
    stored = _existing(incident, candidates)
    seen: dict[str, dict[str, str]] = {key: {} for key in _DUPLICATE_REASONS}
    kept = []
    for candidate in candidates:
        recipient = candidate.recipient
        reason = _duplicate_reason(recipient, seen, stored)
        if reason:
            rejects.add(candidate.number, recipient.external_id, "rejected", [reason])
            continue
        for key in _DUPLICATE_REASONS:
            if getattr(recipient, key):
                seen[key][getattr(recipient, key)] = recipient.external_id
        kept.append(candidate)
    return kept


_COPY_FIELDS = [f for f in Recipient._meta.concrete_fields if not f.primary_key]


def _write_copy(recipients: list[Recipient]) -> None:
    """Write with PostgreSQL COPY: one round trip per batch, no per-row INSERT parsing."""
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _COPY_FIELDS)
    table = connection.ops.quote_name(Recipient._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608
        for recipient in recipients:
            copy.write_row(
                [
                    json.dumps(getattr(recipient, f.attname)) if f.get_internal_type() == "JSONField"
                    else getattr(recipient, f.attname)
                    for f in _COPY_FIELDS
                ]
            )


def _write(recipients: list[Recipient]) -> None:
    if connection.vendor == "postgresql":
        _write_copy(recipients)
    else:
        Recipient.objects.bulk_create(recipients, batch_size=BATCH_SIZE)


def batch_size() -> int:
    return COPY_BATCH_SIZE if connection.vendor == "postgresql" else BATCH_SIZE


def _flush(incident: Incident, candidates: list[_Candidate], rejects: _Rejects, summary: ImportSummary) -> None:
    kept = _dedupe(incident, candidates, rejects)
    _write([candidate.recipient for candidate in kept])
    for candidate in kept:
        summary.imported += 1
        summary.per_jurisdiction[candidate.recipient.jurisdiction] += 1
        if candidate.warnings:
            summary.kept_with_warnings += 1
            rejects.add(
                candidate.number, candidate.recipient.external_id, "kept",
                [f"{warning} (dropped)" for warning in candidate.warnings],
            )
    summary.rejected += len(candidates) - len(kept)
    rejects.flush()


def _consume(incident: Incident, rows, rejects: _Rejects, summary: ImportSummary) -> None:
    size = batch_size()
    categories = list(incident.data_categories) or None
    candidates: list[_Candidate] = []
    for number, raw in rows:
        parsed = ParsedRow(errors=[raw.reason]) if isinstance(raw, BadLine) else row_parse(
            raw, incident_categories=categories
        )
        if parsed.accepted:
            candidates.append(_candidate(incident, number, parsed))
        else:
            external_id = "" if isinstance(raw, BadLine) else str(raw.get("external_id") or "").strip()[:200]
            rejects.add(number, external_id, "rejected", parsed.errors + parsed.warnings)
            summary.rejected += 1
        if len(candidates) >= size:
            _flush(incident, candidates, rejects, summary)
            candidates = []
    _flush(incident, candidates, rejects, summary)


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
    rejects_stream: IO[str], via: str = "api",
) -> ImportSummary:
    """Import numbered rows for ``incident`` and return the summary.

    1. Check the permission (``actor`` None means an operator at the command line) and the incident's state.
    2. Check each row, write kept rows in batches, report rejects and dropped contacts to ``rejects_stream``.
    3. Record the people identified per jurisdiction on the incident (obligations follow).
    4. Audit the counts and the file name, never a person's details.

    Raises PermissionDenied, Conflict (closed incident) or ImportFormatError (nothing is kept).
    """
    current = _check_allowed(actor, incident)
    summary = ImportSummary()
    _consume(current, rows, _Rejects(rejects_stream), summary)
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


def recipients_import_file(*, actor, incident: Incident, path: str | Path, via: str = "command") -> ImportSummary:
    """Import a CSV or JSON Lines file and write ``FILE.rejects.csv`` beside it.

    The report is written under a temporary name and renamed at the end, so a refused
    file leaves no half-written report behind.
    """
    target = rejects_path_for(path)
    partial = target.with_name(target.name + ".partial")
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream, open(
            partial, "w", encoding="utf-8", newline=""
        ) as rejects:
            summary = recipients_import(
                actor=actor, incident=incident, rows=_decoded(rows_from_stream(stream, name=str(path))),
                source_name=str(path), rejects_stream=rejects, via=via,
            )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
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
