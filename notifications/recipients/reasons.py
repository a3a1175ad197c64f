"""Why the importer rejected a row, dropped a contact method or refused a file.

A reason is written in English where it is kept: the rejects report, the job's error, the command's
output and the API, which scripts read. The pages show it in the reader's language: each reason is one
of the templates below filled with its values (a row's reason prefixed by the column it is about, a
dropped contact's followed by "(dropped)"), so ``reason_translated`` finds the template again and
fills its translation with the same values. Any other text is translated as a message id (a job's fixed
errors) or shown as it is.
"""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

from incidents.text import CONTROL_CHARACTER, LONE_SURROGATE, NUL_BYTE

KEPT = gettext_noop("kept")
REJECTED = gettext_noop("rejected")
DROPPED = gettext_noop("%(reason)s (dropped)")

# A row's values
MISSING = gettext_noop("missing")
TOO_LONG = gettext_noop("longer than %(most)s characters")
UNKNOWN_JURISDICTION = gettext_noop("unknown or missing (use ISO 3166-1 alpha-2, or US-XX for US states)")
UNKNOWN_LANGUAGE = gettext_noop("unknown (use one of %(languages)s)")
NOT_YES_NO = gettext_noop("not a yes/no value (use true/false, yes/no or 1/0)")
UNKNOWN_CATEGORIES = gettext_noop("unknown code(s) %(codes)s")
CATEGORIES_NOT_ON_INCIDENT = gettext_noop("%(codes)s not recorded on the incident")
NOT_TEXT = gettext_noop("an object or list where text is expected")
UNREACHABLE = gettext_noop("no usable contact method (e-mail, phone, push or postal address)")
UNREACHABLE_MINOR = gettext_noop(
    "no usable contact method (a minor needs a guardian e-mail or phone, or a postal address)")
NOT_A_TEST_RECIPIENT = gettext_noop("%(contact)s is not one of the drill test recipients (organisation profile)")
DRILL_CHANNEL = gettext_noop("a drill sends only to the test recipients' e-mail addresses and phone numbers")
# A row's contact methods
INVALID_EMAIL = gettext_noop("invalid e-mail address")
INVALID_PHONE = gettext_noop("unparseable phone number")
INVALID_GUARDIAN_EMAIL = gettext_noop("invalid guardian e-mail address")
INVALID_GUARDIAN_PHONE = gettext_noop("unparseable guardian phone number")
INVALID_FCM_TOKEN = gettext_noop("not an FCM registration token")
INVALID_JPUSH_ID = gettext_noop("not a JPush registration id")
INCOMPLETE_WEBPUSH = gettext_noop("incomplete Web Push subscription (endpoint, p256dh and auth are all needed)")
INVALID_WEBPUSH_ENDPOINT = gettext_noop("Web Push endpoint is not an http(s) URL")
# Lines that are no row
TOO_MANY_VALUES = gettext_noop("%(values)s values for %(columns)s columns")
EMPTY_ROW = gettext_noop("empty row")
NOT_JSON = gettext_noop("not valid JSON")
NOT_JSON_OBJECT = gettext_noop("not a JSON object")
# The same person twice
DUPLICATE_ID_BEFORE = gettext_noop("duplicate external_id (imported before)")
DUPLICATE_ID_IN_FILE = gettext_noop("duplicate external_id (earlier in this file)")
DUPLICATE_EMAIL_BEFORE = gettext_noop("duplicate e-mail address (same as external_id %(other)s, imported before)")
DUPLICATE_EMAIL_IN_FILE = gettext_noop(
    "duplicate e-mail address (same as external_id %(other)s, earlier in this file)")
DUPLICATE_PHONE_BEFORE = gettext_noop("duplicate phone number (same as external_id %(other)s, imported before)")
DUPLICATE_PHONE_IN_FILE = gettext_noop(
    "duplicate phone number (same as external_id %(other)s, earlier in this file)")
# Files refused as a whole
UNKNOWN_COLUMNS = gettext_noop("Unknown column(s): %(columns)s. Allowed columns: %(allowed)s. Nothing was imported.")
EMPTY_FILE = gettext_noop("The file is empty: a header row is needed.")
REPEATED_COLUMNS = gettext_noop("Column(s) named twice: %(columns)s. Nothing was imported.")
MISSING_COLUMNS = gettext_noop("Missing required column(s): %(columns)s. Nothing was imported.")
UNCLOSED_QUOTE = gettext_noop(
    "The file is not valid CSV: the record starting on line %(line)s does not end (%(error)s); look for a quote "
    "that is never closed. Nothing was imported.")
NOT_UTF8 = gettext_noop("The file is not UTF-8 text (%(error)s). Nothing was imported.")
NOT_CSV = gettext_noop("The file is not valid CSV (%(error)s). Nothing was imported.")

TEMPLATES = (
    MISSING, TOO_LONG, UNKNOWN_JURISDICTION, UNKNOWN_LANGUAGE, NOT_YES_NO, UNKNOWN_CATEGORIES,
    CATEGORIES_NOT_ON_INCIDENT, NOT_TEXT, UNREACHABLE, UNREACHABLE_MINOR, NOT_A_TEST_RECIPIENT, DRILL_CHANNEL,
    INVALID_EMAIL, INVALID_PHONE, INVALID_GUARDIAN_EMAIL, INVALID_GUARDIAN_PHONE, INVALID_FCM_TOKEN,
    INVALID_JPUSH_ID, INCOMPLETE_WEBPUSH, INVALID_WEBPUSH_ENDPOINT, TOO_MANY_VALUES, EMPTY_ROW, NOT_JSON,
    NOT_JSON_OBJECT, DUPLICATE_ID_BEFORE, DUPLICATE_ID_IN_FILE, DUPLICATE_EMAIL_BEFORE, DUPLICATE_EMAIL_IN_FILE,
    DUPLICATE_PHONE_BEFORE, DUPLICATE_PHONE_IN_FILE, UNKNOWN_COLUMNS, EMPTY_FILE, REPEATED_COLUMNS,
    MISSING_COLUMNS, UNCLOSED_QUOTE, NOT_UTF8, NOT_CSV, NUL_BYTE, LONE_SURROGATE, CONTROL_CHARACTER,
)
# The column a reason is about (or "webpush", the three Web Push columns together): a lower-case name.
_SUBJECT = re.compile(r"(?P<subject>[a-z][a-z0-9_]*): (?P<rest>.*)", re.DOTALL)
_DROPPED = re.compile(r"(?P<reason>.*) \(dropped\)", re.DOTALL)
_PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)s")


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(_PLACEHOLDER.sub(r"(?P<\1>.+?)", re.escape(template)), re.DOTALL), template)
                 for template in TEMPLATES)


def _parts(text: str) -> tuple[str, str, bool]:
    """One reason as (the column it is about or "", its message, whether its contact was dropped)."""
    dropped = _DROPPED.fullmatch(text)
    if dropped:
        text = dropped["reason"]
    about = _SUBJECT.fullmatch(text)
    return (about["subject"], about["rest"], bool(dropped)) if about else ("", text, bool(dropped))


def _template(message: str) -> tuple[str, dict[str, str]] | None:
    """The template ``message`` was written from, with its values; None for any other text."""
    for pattern, template in _patterns():
        found = pattern.fullmatch(message)
        if found:
            return template, found.groupdict()
    return None


def _one_translated(text: str) -> str:
    subject, message, dropped = _parts(text)
    written = _template(message)
    translated = gettext(written[0]) % written[1] if written else gettext(message)
    if subject:
        translated = f"{subject}: {translated}"
    return gettext(DROPPED) % {"reason": translated} if dropped else translated


def reason_translated(text: str) -> str:
    """The reasons of one row of the rejects report ("; " between them), or a job's error, in the active
    language."""
    return "; ".join(_one_translated(part) for part in text.split("; ")) if text else text


def reason_known(text: str) -> bool:
    """Whether every part of ``text`` is one of the templates (what the tests check of each reason written)."""
    return all(_template(_parts(part)[1]) is not None for part in text.split("; "))
