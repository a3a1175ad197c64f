"""Domain errors shared by services, views and the API, and the one place pages turn them into messages.

The API's counterpart is ``config.api_errors`` (status codes); pages show the same reasons as sentences,
next to the form field a ValidationError names or above the form.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class Conflict(Exception):
    """The action is not possible in the incident's (or notice's) current state.

    ``extra`` holds machine-readable details the API adds to its 409 answer.
    """

    def __init__(self, message: str = "", *, extra: dict | None = None):
        super().__init__(message)
        self.extra = extra or {}


def error_message(exc: Exception) -> str:
    """The sentence a page shows for a service's refusal: every message of a ValidationError, a refused
    permission's reason (or a generic one), a conflict's reason."""
    if isinstance(exc, ValidationError):
        return " ".join(str(message) for message in exc.messages)
    if isinstance(exc, PermissionDenied) and not str(exc):
        return _("You do not have permission to do this.")
    return str(exc)


def errors_to_form(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's validation errors next to the fields they name (the rest above the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
