"""Importing affected people: streaming, checked row by row, de-duplicated, written in batches.

Memory stays flat whatever the file size: rows are read one at a time
(``reading``), checked in worker processes (``rows``), de-duplicated and written
``writing.batch_size()`` at a time (``writing``: PostgreSQL ``COPY``, else
``bulk_create``), and reported (``rejects``). The whole import is one transaction:
a file refused half-way (an unknown JSON key on line 900,000) leaves nothing behind.
"""

from __future__ import annotations

import io
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from incidents.actors import Actor, require_permission
from incidents.audit import AuditAction, audit_record
from incidents.errors import Conflict
from incidents.models import Incident, IncidentState, OrganisationProfile
from incidents.services import incident_record_identified
from notifications.models.tally import PeopleTally, tally_compact
from notifications.recipients import reasons
from notifications.recipients.reading import BadLine, decoded, rows_from_stream
from notifications.recipients.rejects import Rejects, rejects_path_for
from notifications.recipients.rows import MAX_EXTERNAL_ID, row_parse
from notifications.recipients.writing import batch_size, dedupe, kept_row, write

# Rows per unit of work for the checking processes: large enough that handing a chunk
# over costs little next to checking it, small enough that few are held at once.
CHECK_CHUNK_ROWS = 2000


@dataclass
class ImportSummary:
    imported: int = 0
    rejected: int = 0
    kept_with_warnings: int = 0
    per_jurisdiction: Counter = field(default_factory=Counter)
    identified: dict[str, int] = field(default_factory=dict)
    rejects_path: str = ""
    # Rows read from the file so far (imported, rejected, or checked and not yet written).
    read: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "rejected": self.rejected,
            "kept_with_warnings": self.kept_with_warnings,
            "per_jurisdiction": dict(sorted(self.per_jurisdiction.items())),
            "identified": dict(sorted(self.identified.items())),
            "rejects_path": self.rejects_path,
        }


def _check_chunk(chunk: list, *, incident_id: int, categories: list[str] | None, created_at: datetime,
                 copy_text: bool, test_recipients: frozenset[str] | None) -> tuple[list[tuple], list[tuple]]:
    """Check, seal and hash a chunk of numbered rows; return (kept, refused).

    Pure (no database), so it runs in worker processes.
    """
    kept, refused = [], []
    for number, raw in chunk:
        if isinstance(raw, BadLine):
            refused.append((number, "", [raw.reason]))
            continue
        parsed = row_parse(raw, incident_categories=categories, test_recipients=test_recipients)
        if parsed.accepted:
            kept.append(kept_row(number, parsed, incident_id=incident_id, created_at=created_at, copy_text=copy_text))
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
        test_recipients=frozenset(OrganisationProfile.current().drill_recipients) if incident.is_drill else None,
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
    configured = settings.IMPORT_WORKERS
    return configured if configured > 0 else (os.cpu_count() or 1)


def _flush(incident: Incident, batch: list[tuple], rejects: Rejects, summary: ImportSummary) -> None:
    kept = dedupe(incident, batch, rejects)
    if kept:
        write(kept)
    for number, external_id, jurisdiction, _email_hash, _phone_hash, _stored, warnings in kept:
        summary.per_jurisdiction[jurisdiction] += 1
        if warnings:
            summary.kept_with_warnings += 1
            rejects.add(number, external_id, reasons.KEPT, [reasons.DROPPED % {"reason": warning} for warning in warnings])
    summary.imported += len(kept)
    summary.rejected += len(batch) - len(kept)
    rejects.flush()


def _consume(incident: Incident, rows, rejects: Rejects, summary: ImportSummary, *, workers: int,
             progress: Callable[[ImportSummary], None]) -> None:
    """Check chunk after chunk and write in batches; a batch ends only at a chunk's end, so the
    rejects report, sorted per batch, stays in row order. ``progress`` sees the summary after each chunk."""
    size = batch_size()
    batch: list[tuple] = []
    for kept, refused in _checked(rows, incident=incident, workers=workers):
        for number, external_id, why in refused:
            rejects.add(number, external_id, reasons.REJECTED, why)
        summary.rejected += len(refused)
        summary.read += len(kept) + len(refused)
        batch.extend(kept)
        if len(batch) >= size:
            _flush(incident, batch, rejects, summary)
            batch = []
        progress(summary)
    _flush(incident, batch, rejects, summary)
    progress(summary)


def _no_progress(summary: ImportSummary) -> None:
    """Nobody follows this import."""


def identified_counts(incident: Incident) -> dict[str, int]:
    """Return {jurisdiction: number of recipients stored} for the incident (from the counts kept)."""
    rows = PeopleTally.objects.filter(incident=incident).order_by().values("jurisdiction").annotate(n=Sum("n"))
    return {row["jurisdiction"]: row["n"] for row in rows if row["n"]}


# Namespace of the PostgreSQL advisory lock taken per incident while importing.
_IMPORT_LOCK_SPACE = 0x5245_4350


def _require_permission(actor: Actor) -> None:
    require_permission(
        actor, "notifications.import_recipients", "You need the permission 'notifications.import_recipients' to import people."
    )


def _require_open(incident: Incident) -> Incident:
    current = Incident.objects.get(pk=incident.pk)
    if current.state == IncidentState.CLOSED:
        raise Conflict(f"{current.ref} is closed: reopen it before importing affected people.")
    return current


def recipients_import_check(*, actor: Actor, incident: Incident) -> Incident:
    """Return the incident as stored if ``actor`` may import people into it now.

    Raises PermissionDenied, or Conflict when the incident is closed.
    """
    _require_permission(actor)
    return _require_open(incident)


def _check_allowed(actor: Actor, incident: Incident) -> Incident:
    """Refuse an outsider or a closed incident; serialise imports into the same incident.

    Two imports into one incident must not both miss each other's duplicates, so they
    queue on an advisory lock (SQLite's IMMEDIATE transactions already serialise writers).
    The incident row itself is locked only at the end, when the counts are recorded: a
    long import does not hold up other work on the incident.
    """
    _require_permission(actor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::bigint)", [(_IMPORT_LOCK_SPACE << 32) | (incident.pk & 0xFFFFFFFF)])
    return _require_open(incident)


@transaction.atomic
def recipients_import(
    *, actor: Actor, incident: Incident, rows: Iterable[tuple[int, dict[str, Any] | BadLine]], source_name: str,
    rejects_stream: IO[str], via: str = "api", workers: int = 1,
    progress: Callable[[ImportSummary], None] = _no_progress,
) -> ImportSummary:
    """Import numbered rows for ``incident`` and return the summary.

    1. Check the actor's permission and the incident's state.
    2. Check each row (in ``workers`` processes), write kept rows in batches, report rejects and
       dropped contacts to ``rejects_stream``; ``progress`` sees the summary after every chunk.
    3. Record the people identified per jurisdiction on the incident (obligations follow).
    4. Audit the counts and the file name, never a person's details.

    Raises PermissionDenied, Conflict (closed incident) or ImportFormatError (nothing is kept).
    """
    current = _check_allowed(actor, incident)
    summary = ImportSummary()
    _consume(current, rows, Rejects(rejects_stream), summary, workers=workers, progress=progress)
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    tally_compact(PeopleTally, [locked.pk])
    summary.identified = identified_counts(locked)
    if summary.imported:
        locked = incident_record_identified(actor=actor, incident=locked, counts=summary.identified)
    audit_record(
        actor=actor, action=AuditAction.RECIPIENTS_IMPORTED, incident=locked,
        payload={
            "source": os.path.basename(source_name), "via": via, "imported": summary.imported,
            "rejected": summary.rejected, "kept_with_warnings": summary.kept_with_warnings,
            "per_jurisdiction": dict(sorted(summary.per_jurisdiction.items())),
        },
    )
    return summary


def recipients_import_file(
    *, actor: Actor, incident: Incident, path: str | Path, via: str = "command", workers: int = 1,
    progress: Callable[[ImportSummary], None] = _no_progress,
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
                actor=actor, incident=incident, rows=decoded(rows_from_stream(stream, name=str(path))),
                source_name=str(path), rejects_stream=rejects, via=via, workers=workers, progress=progress,
            )
    except BaseException:
        partial_report.unlink(missing_ok=True)
        raise
    partial_report.replace(target)
    summary.rejects_path = str(target)
    return summary


def recipients_import_stream(
    *, actor: Actor, incident: Incident, stream: IO[bytes], name: str, via: str = "api",
    progress: Callable[[ImportSummary], None] = _no_progress,
) -> tuple[ImportSummary, str]:
    """Import a binary stream of CSV or JSON Lines called ``name``; return the summary and the rejects CSV text."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    rejects = io.StringIO()
    try:
        summary = recipients_import(
            actor=actor, incident=incident, rows=decoded(rows_from_stream(text, name=name)),
            source_name=name, rejects_stream=rejects, via=via, progress=progress,
        )
    finally:
        text.detach()
    return summary, rejects.getvalue()


def recipients_import_upload(*, actor: Actor, incident: Incident, upload, via: str = "api") -> tuple[ImportSummary, str]:
    """Import an uploaded file (Django ``UploadedFile``); return the summary and the rejects CSV text."""
    return recipients_import_stream(actor=actor, incident=incident, stream=upload.file, name=upload.name, via=via)
