"""One place that turns domain errors into API answers, and bad input into 400 everywhere.

A transition that is unknown, not allowed from the current state, or beaten by
a concurrent one is a conflict (409) with the reason; a missing permission is
403; invalid input is 400 with field errors. Input that slipped past validation
and made Python or the database give up (a number out of range, nesting too
deep for the parser, a value the column cannot hold) is still the client's bad
input: 400 under /api/, a readable error page elsewhere, and a log line, never a 500.
Anything under /api/ that matches no route answers JSON, not Django's HTML page.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from incidents.errors import Conflict

log = logging.getLogger("breachline.bad_input")

BAD_INPUT = (OverflowError, RecursionError, DataError)


def _bad_input_message() -> str:
    return _("A value in the request is out of range or nested too deeply to be read.")


def _unknown_format(request, view) -> str:
    """The ``?format=`` the request asked for when no renderer of the view has it, else ""."""
    wanted = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE, "") if request is not None else ""
    return wanted if wanted and wanted not in {renderer.format for renderer in view.get_renderers()} else ""


def exception_handler(exc, context):
    request, view = context.get("request"), context.get("view")
    if request is not None:
        # An error answers JSON whatever the request asked for: the CSV and PDF renderers cannot render it.
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
    if isinstance(exc, Http404) and view is not None and _unknown_format(request, view):
        formats = ", ".join(sorted(renderer.format for renderer in view.get_renderers()))
        return Response({"format": [f"Unknown format {_unknown_format(request, view)!r}: use one of {formats}."]},
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, BAD_INPUT):
        log.warning("bad input refused with 400: %s: %s", type(exc).__name__, str(exc)[:200])
        return Response({"detail": _bad_input_message(), "code": "bad_input"}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict | TransitionNotAllowed | ConcurrentTransition):
        return Response(
            {"detail": str(exc), "code": "conflict", **getattr(exc, "extra", {})}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, PermissionDenied):
        return Response(
            {"detail": str(exc) or "You do not have permission to do this.", "code": "permission_denied"},
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = ValidationError(detail)
    return drf_exception_handler(exc, context)


class BadInputMiddleware:
    """Turns the same bad input into a 400 page outside the API (the API's handler sees it first there)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, BAD_INPUT):
            return None
        log.warning("bad input refused with 400: %s at %s", type(exception).__name__, request.path)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _bad_input_message(), "code": "bad_input"}, status=400)
        return render(request, "400.html", {"message": _bad_input_message()}, status=400)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return page_not_found(request, exception)


@csrf_exempt
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """The last route under /api/: an unknown path or a malformed id (``/api/notices/abc/``) answers JSON
    with DEBUG on too, where Django would show its HTML page before ``handler404``. Exempt from the CSRF
    check, which would otherwise answer a token client's POST there with an HTML 403 instead."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
