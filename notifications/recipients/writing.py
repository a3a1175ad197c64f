"""Writing checked rows: de-duplication against the batch and the stored rows, then COPY or bulk insert.

Duplicates are found per batch against the batch itself and the rows already stored,
through the indexed external id and keyed hashes, so nothing grows with the file.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from django.db import connection

from incidents.models import Incident
from notifications.models.recipient import Recipient, new_personal_token, sealed_columns
from notifications.recipients import reasons
from notifications.recipients.rejects import Rejects
from notifications.recipients.rows import ParsedRow

BATCH_SIZE = 2000
COPY_BATCH_SIZE = 20000

# The stored columns of a person, in the order the importer writes them.
_STORED_FIELDS = [f for f in Recipient._meta.concrete_fields if not f.primary_key]
STORED_COLUMNS = tuple(f.attname for f in _STORED_FIELDS)

# What checking a chunk gives back, as plain tuples (they cross a process boundary, and
# pickling named tuples or model objects would cost more than checking the rows):
# a kept row is (number, external_id, jurisdiction, email_hash, phone_hash, stored, warnings),
# where ``stored`` is the row as a line of COPY text on PostgreSQL, else its columns in
# ``STORED_COLUMNS`` order; a refused row is (number, external_id, reasons).
KEYS = ("external_id", "email_hash", "phone_hash")
KEY_AT = {"external_id": 1, "email_hash": 3, "phone_hash": 4}


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value: Any) -> str:
    """One field in PostgreSQL's COPY text format."""
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return copy_field(value.isoformat() if isinstance(value, datetime) else str(value))


def kept_row(number: int, parsed: ParsedRow, *, incident_id: int, created_at: datetime, copy_text: bool) -> tuple:
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
        stored: str | tuple = "\t".join([copy_field(columns[name]) for name in STORED_COLUMNS]) + "\n"
    else:
        stored = tuple(columns[name] for name in STORED_COLUMNS)
    return (
        number, values["external_id"], values["jurisdiction"], columns["email_hash"], columns["phone_hash"], stored,
        parsed.warnings,
    )


def _existing(incident: Incident, batch: list[tuple]) -> dict[str, dict[str, str]]:
    """Return, per key, the stored values among this batch's (value -> external id that has it)."""
    found: dict[str, dict[str, str]] = {}
    for key in KEYS:
        at = KEY_AT[key]
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


# Per key: (imported before, earlier in this file).
_DUPLICATE_REASONS = {
    "external_id": (reasons.DUPLICATE_ID_BEFORE, reasons.DUPLICATE_ID_IN_FILE),
    "email_hash": (reasons.DUPLICATE_EMAIL_BEFORE, reasons.DUPLICATE_EMAIL_IN_FILE),
    "phone_hash": (reasons.DUPLICATE_PHONE_BEFORE, reasons.DUPLICATE_PHONE_IN_FILE),
}


def _duplicate_reason(row: tuple, seen: dict[str, dict[str, str]], stored) -> str:
    for key, (before, in_file) in _DUPLICATE_REASONS.items():
        value = row[KEY_AT[key]]
        if not value:
            continue
        if value in stored[key]:
            return before % {"other": stored[key][value]}
        if value in seen[key]:
            return in_file % {"other": seen[key][value]}
    return ""


def dedupe(incident: Incident, batch: list[tuple], rejects: Rejects) -> list[tuple]:
    stored = _existing(incident, batch)
    seen: dict[str, dict[str, str]] = {key: {} for key in KEYS}
    kept = []
    for row in batch:
        reason = _duplicate_reason(row, seen, stored)
        if reason:
            rejects.add(row[0], row[1], reasons.REJECTED, [reason])
            continue
        for key in KEYS:
            if value := row[KEY_AT[key]]:
                seen[key][value] = row[1]
        kept.append(row)
    return kept


def _write_copy(rows: list[tuple]) -> None:
    """Write with PostgreSQL COPY: the rows arrive as lines of COPY text, sent as they are."""
    columns = ", ".join(connection.ops.quote_name(field.column) for field in _STORED_FIELDS)
    table = connection.ops.quote_name(Recipient._meta.db_table)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608
        copy.write("".join(row[5] for row in rows).encode("utf-8"))


def write(rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        _write_copy(rows)
    else:
        Recipient.objects.bulk_create(
            [Recipient(**dict(zip(STORED_COLUMNS, row[5], strict=True))) for row in rows], batch_size=BATCH_SIZE
        )


def batch_size() -> int:
    return COPY_BATCH_SIZE if connection.vendor == "postgresql" else BATCH_SIZE
