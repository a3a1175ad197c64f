"""Structured logs: one JSON object per line, each carrying the id of the request it belongs to.

The id comes from a valid ``X-Request-ID`` sent by the proxy, or is made here, and goes back in the
response's ``X-Request-ID`` header, so one request can be followed from the proxy's log to ours.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

request_id: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a response (django.request) after the middleware has returned: its record
        # carries the request, which carries the id.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or request_id.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        value = sent if _VALID_ID.fullmatch(sent) else uuid.uuid4().hex
        request.request_id = value  # type: ignore[attr-defined]  # read back by RequestIdFilter
        token = request_id.set(value)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response[REQUEST_ID_HEADER] = value
        return response
