"""Liveness and readiness for load balancers and orchestrators.

``/healthz`` answers 200 whenever the process can serve a request. ``/readyz`` answers 200 only when
everything a request may need is there: the database, the broker, valid rule files and encryption keys
that seal and open a value; otherwise 503 naming what failed. Neither needs a login, and neither says
more than each check's name and outcome.

They are answered by a middleware in front of the others: load balancers probe by address, with no
host name that ALLOWED_HOSTS would accept, and over plain HTTP that would otherwise be redirected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

from config.celery import app as celery_app
from incidents.rules.loader import load_rules
from notifications.models.crypto import seal, unseal

log = logging.getLogger("breachline.health")

BROKER_TIMEOUT_SECONDS = 2


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)


def _rules() -> None:
    load_rules()


def _keys() -> None:
    if unseal(seal(b"ready", context=b"readyz"), context=b"readyz") != b"ready":
        raise ValueError("a sealed value did not open to itself")


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "broker": _broker,
    "rule_files": _rules,
    "encryption_keys": _keys,
}


def healthz() -> JsonResponse:
    return JsonResponse({"status": "ok"})


def readyz() -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001 - any failure means not ready; the log keeps the detail
            log.warning("readiness check %s failed: %s", name, error)
            results[name] = "failed"
        else:
            results[name] = "ok"
    ready = all(outcome == "ok" for outcome in results.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": results}, status=200 if ready else 503)


PROBES: dict[str, Callable[[], JsonResponse]] = {"/healthz": healthz, "/readyz": readyz}


class HealthMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"detail": "Use GET."}, status=405, headers={"Allow": "GET, HEAD"})
        response = probe()
        add_never_cache_headers(response)
        return response
