"""Cells of the CSV files people open in spreadsheets (the evidence ledger, letters, the rejects report)."""

from __future__ import annotations

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection);
# tab and carriage return can smuggle one past a naive check.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text, with a leading quote when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
