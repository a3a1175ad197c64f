"""Checking one row of an affected-people file: pure functions, no database.

``row_parse`` turns the raw strings of one row into the values stored for a
person, or says why it cannot: it never raises for bad data. A contact method
that is bad while another is good is dropped with a warning; a row left with
no way to reach the person is rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from incidents.rules import categories, jurisdictions
from incidents.text import text_problem
from notifications.recipients import reasons

COLUMNS = (
    "external_id", "name", "email", "phone", "postal_address", "jurisdiction", "language", "fcm_token",
    "webpush_endpoint", "webpush_p256dh", "webpush_auth", "data_categories", "is_minor", "guardian_email",
    "guardian_phone", "jpush_registration_id", "guardian_name",
)
REQUIRED_COLUMNS = ("external_id", "jurisdiction")
MAX_EXTERNAL_ID = 200
MAX_TEXT = 2000
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"", "0", "false", "no", "n", "f"}
_validate_url = URLValidator(schemes=["https", "http"])
_WHITESPACE = re.compile(r"\s")
# JPush registration ids are short alphanumeric strings (e.g. 1a0018970af2b3c4d5e).
_JPUSH_ID = re.compile(r"[0-9A-Za-z]{8,64}")


@dataclass
class ParsedRow:
    """The outcome of one row: ``values`` when kept, ``errors`` when rejected, ``warnings`` either way."""

    values: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.values is not None and not self.errors


def unknown_columns(names) -> list[str]:
    return sorted({str(name) for name in names} - set(COLUMNS))


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        value = str(value).lower() if isinstance(value, bool) else str(value)
    return value.strip() if isinstance(value, str) else ""


def parse_jurisdiction(value: str) -> str | None:
    code = value.strip().upper()
    return code if jurisdictions.is_known_jurisdiction(code) else None


def parse_language(value: str, *, jurisdiction: str) -> str | None:
    if not value:
        return settings.RESIDENCE_LANGUAGES.get(jurisdiction, "en")
    code = value.strip().lower().replace("_", "-")
    return code if code in {language for language, _ in settings.NOTICE_LANGUAGES} else None


def region_hint(jurisdiction: str) -> str:
    """The phonenumbers region for numbers written without a country code: the country of residence."""
    return jurisdiction.split("-", 1)[0] if jurisdiction else "ZZ"


def parse_phone(value: str, *, region: str) -> str | None:
    """Return the number in E.164, or None when it is no valid number.

    Most people's numbers belong to their country of residence, and checking one region
    costs half of checking every region sharing the country code (+1 has 25), so the
    residence is tried first; the answer is the same either way.
    """
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not (phonenumbers.is_valid_number_for_region(number, region) or phonenumbers.is_valid_number(number)):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # E.164 allows 15 digits; phonenumbers accepts some longer German numbers (+49 30 000...).
    return e164 if len(e164) <= 16 else None


def parse_email(value: str) -> str | None:
    if len(value) > 254:
        return None
    try:
        validate_email(value)
    except ValidationError:
        return None
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def parse_bool(value: str) -> bool | None:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def parse_categories(value: str) -> tuple[list[str], list[str]]:
    """Return (known codes in order without repeats, unknown codes)."""
    codes = [code.strip() for code in value.split(";") if code.strip()]
    known = list(dict.fromkeys(code for code in codes if code in categories.BY_CODE))
    return known, [code for code in codes if code not in categories.BY_CODE]


def _parse_webpush(raw: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    endpoint, p256dh, auth = (_text(raw, key) for key in ("webpush_endpoint", "webpush_p256dh", "webpush_auth"))
    if not (endpoint or p256dh or auth):
        return None, ""
    if not (endpoint and p256dh and auth):
        return None, reasons.INCOMPLETE_WEBPUSH
    try:
        _validate_url(endpoint)
    except ValidationError:
        return None, reasons.INVALID_WEBPUSH_ENDPOINT
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}, ""


def _parse_contacts(raw: dict[str, Any], *, region: str, result: ParsedRow) -> dict[str, Any]:
    """Check each contact method; drop the bad ones with a warning naming the column."""
    contact: dict[str, Any] = {}
    checks = (
        ("email", parse_email, reasons.INVALID_EMAIL),
        ("phone", lambda value: parse_phone(value, region=region), reasons.INVALID_PHONE),
        ("guardian_email", parse_email, reasons.INVALID_GUARDIAN_EMAIL),
        ("guardian_phone", lambda value: parse_phone(value, region=region), reasons.INVALID_GUARDIAN_PHONE),
    )
    for key, check, problem in checks:
        value = _text(raw, key)
        if value:
            parsed = check(value)
            if parsed:
                contact[key] = parsed
            else:
                result.warnings.append(f"{key}: {problem}")
    fcm_token = _text(raw, "fcm_token")
    if fcm_token and (len(fcm_token) > 4096 or _WHITESPACE.search(fcm_token)):
        result.warnings.append(f"fcm_token: {reasons.INVALID_FCM_TOKEN}")
    elif fcm_token:
        contact["fcm_token"] = fcm_token
    jpush_id = _text(raw, "jpush_registration_id")
    if jpush_id and not _JPUSH_ID.fullmatch(jpush_id):
        result.warnings.append(f"jpush_registration_id: {reasons.INVALID_JPUSH_ID}")
    elif jpush_id:
        contact["jpush_registration_id"] = jpush_id
    subscription, problem = _parse_webpush(raw)
    if problem:
        result.warnings.append(f"webpush: {problem}")
    elif subscription:
        contact["webpush_subscription"] = subscription
    postal_address = _text(raw, "postal_address")
    if postal_address:
        contact["postal_address"] = postal_address
    return contact


def _reachable(contact: dict[str, Any], *, is_minor: bool) -> bool:
    if contact.get("postal_address"):
        return True
    if is_minor:
        return bool(contact.get("guardian_email") or contact.get("guardian_phone"))
    return any(
        contact.get(key) for key in ("email", "phone", "fcm_token", "jpush_registration_id", "webpush_subscription")
    )


def _parse_identity(raw: dict[str, Any], result: ParsedRow) -> dict[str, Any]:
    external_id = _text(raw, "external_id")
    if not external_id:
        result.errors.append(f"external_id: {reasons.MISSING}")
    elif len(external_id) > MAX_EXTERNAL_ID:
        result.errors.append(f"external_id: {reasons.TOO_LONG % {'most': MAX_EXTERNAL_ID}}")
    jurisdiction = parse_jurisdiction(_text(raw, "jurisdiction"))
    if jurisdiction is None:
        result.errors.append(f"jurisdiction: {reasons.UNKNOWN_JURISDICTION}")
    language = parse_language(_text(raw, "language"), jurisdiction=jurisdiction or "")
    if language is None:
        languages = ", ".join(code for code, _ in settings.NOTICE_LANGUAGES)
        result.errors.append(f"language: {reasons.UNKNOWN_LANGUAGE % {'languages': languages}}")
    is_minor = parse_bool(_text(raw, "is_minor"))
    if is_minor is None:
        result.errors.append(f"is_minor: {reasons.NOT_YES_NO}")
    raw_categories = raw.get("data_categories")
    if isinstance(raw_categories, list):
        raw_categories = ";".join(str(code) for code in raw_categories)
    known, unknown = parse_categories(_text({"data_categories": raw_categories}, "data_categories"))
    if unknown:
        result.errors.append(f"data_categories: {reasons.UNKNOWN_CATEGORIES % {'codes': ', '.join(unknown)}}")
    for key in ("name", "guardian_name", "postal_address"):
        if len(_text(raw, key)) > MAX_TEXT:
            result.errors.append(f"{key}: {reasons.TOO_LONG % {'most': MAX_TEXT}}")
    return {
        "external_id": external_id, "jurisdiction": jurisdiction or "", "language": language or "en",
        "is_minor": bool(is_minor), "data_categories": known,
    }


def _hygiene(raw: dict[str, Any], result: ParsedRow) -> None:
    """Reject values that are not text where text is expected, and text that is not clean."""
    for key, value in raw.items():
        items = value if key == "data_categories" and isinstance(value, list) else [value]
        if any(isinstance(item, dict | list | tuple) for item in items):
            result.errors.append(f"{key}: {reasons.NOT_TEXT}")
            continue
        problem = next((text_problem(item) for item in items if isinstance(item, str) and text_problem(item)), "")
        if problem:
            result.errors.append(f"{key}: {problem}")


def _drill_problems(contact: dict[str, Any], test_recipients: frozenset[str]) -> list[str]:
    """Why a drill may not hold this person: a contact that is not one of the team's test addresses."""
    problems = [f"{key}: {reasons.NOT_A_TEST_RECIPIENT % {'contact': contact[key]}}"
                for key in ("email", "phone", "guardian_email", "guardian_phone")
                if key in contact and contact[key] not in test_recipients]
    problems += [f"{key}: {reasons.DRILL_CHANNEL}"
                 for key in ("fcm_token", "jpush_registration_id", "webpush_subscription", "postal_address")
                 if key in contact]
    return problems


def row_parse(raw: dict[str, Any], *, incident_categories: list[str] | None = None,
              test_recipients: frozenset[str] | None = None) -> ParsedRow:
    """Check one row (column name -> raw value) and return what to store or why not.

    ``incident_categories``, when given, bounds the person's categories: a person cannot
    have lost data the incident does not record. ``test_recipients``, given for a drill, are the
    only e-mail addresses and phone numbers it may hold. A value that is not clean text rejects the row.
    """
    result = ParsedRow()
    _hygiene(raw, result)
    if result.errors:
        return result
    values = _parse_identity(raw, result)
    if incident_categories is not None:
        outside = [code for code in values["data_categories"] if code not in incident_categories]
        if outside:
            result.errors.append(
                f"data_categories: {reasons.CATEGORIES_NOT_ON_INCIDENT % {'codes': ', '.join(outside)}}")
    contact = _parse_contacts(raw, region=region_hint(values["jurisdiction"]), result=result)
    for key in ("name", "guardian_name"):
        if _text(raw, key):
            contact[key] = _text(raw, key)
    if test_recipients is not None:
        result.errors.extend(_drill_problems(contact, test_recipients))
    if not _reachable(contact, is_minor=values["is_minor"]):
        result.errors.append(reasons.UNREACHABLE_MINOR if values["is_minor"] else reasons.UNREACHABLE)
    if not result.errors:
        result.values = {**values, "contact": contact}
    return result
