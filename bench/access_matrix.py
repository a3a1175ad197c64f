"""The access-control matrix: every page and API route, requested by each role, and what it answered.

    .venv/bin/python bench/access_matrix.py            # a fresh SQLite database under var/bench/, seed_demo's data

Each route of the URL configuration is requested with GET, and with an empty POST, as an anonymous visitor and
as the demo's responder, legal and admin users (a logged-in session for pages, an API token under /api/), with
the demo's own ids filled in (incident, notice, obligation...). Prints one Markdown row per route and a tally per role; a route that answered 5xx, or answered
an anonymous visitor with anything but a refusal or a redirect to the login page, is listed at the end.
Routes that are public by design (login, the personal notice page, announcements, webhooks, health, the
calendar feed's token) are marked so.
"""

from __future__ import annotations

import collections
import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "1")
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='access-')}/db.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver  # noqa: E402
from knox.models import AuthToken  # noqa: E402

from incidents.models import Incident, Obligation  # noqa: E402
from notifications.models import Delivery, Notice, Recipient  # noqa: E402

PUBLIC = ("accounts/", "n/", "announcements/", "webhooks/", "healthz", "readyz", "api/schema", "api/docs",
          "calendar/<str:token>", "api/auth/token/", "i18n/", "language/", "static/")
ROLES = ("anonymous", "responder", "legal", "admin")


def _routes(resolver=None, prefix: str = "") -> list[str]:
    routes = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                routes.append("admin/")
                continue
            routes += _routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            routes.append(prefix + str(entry.pattern))
    return sorted(set(routes))


def _filled(route: str, ids: dict[str, str]) -> str | None:
    path = route.lstrip("^").rstrip("$")
    for name, value in ids.items():
        path = path.replace(f"<str:{name}>", value).replace(f"<int:{name}>", value).replace(f"<{name}>", value)
    return None if "<" in path or "(" in path or "\\" in path else "/" + path


def main() -> int:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    incident = Incident.objects.order_by("pk").first()
    notice = Notice.objects.order_by("pk").first()
    ids = {
        "ref": incident.ref if incident else "X", "pk": str(notice.pk if notice else 1),
        "token": Recipient.objects.values_list("personal_token", flat=True).first() or "x",
        "name": "approve", "action": "publish", "slug": "x", "delivery_id": str(
            Delivery.objects.values_list("pk", flat=True).first() or 1),
        "obligation_pk": str(Obligation.objects.values_list("pk", flat=True).first() or 1),
    }
    users = {role: User.objects.get(username=role) for role in ROLES[1:]}
    tokens = {role: AuthToken.objects.create(user)[1] for role, user in users.items()}
    client = Client(raise_request_exception=False)

    def answer(role: str, method: str, path: str) -> int:
        """One request as ``role``: a fresh session for pages (a logout route ends it), a token for the API."""
        client.logout()
        headers = {"HTTP_AUTHORIZATION": f"Token {tokens[role]}"} if role in tokens and path.startswith("/api/") else {}
        if role in users and not headers:
            client.force_login(users[role])
        return getattr(client, method)(path, secure=True, **headers).status_code
    rows: list[str] = []
    suspicious: list[str] = []
    tally: dict[str, collections.Counter[str]] = {role: collections.Counter() for role in ROLES}
    for route in _routes():
        path = _filled(route, ids)
        if path is None:
            continue
        public = any(route.startswith(prefix) or prefix in route for prefix in PUBLIC)
        cells = []
        for role in ROLES:
            get, post = answer(role, "get", path), answer(role, "post", path)
            cells.append(f"{get} / {post}")
            tally[role][f"{get // 100}xx"] += 1
            if get >= 500 or post >= 500:
                suspicious.append(f"{route} as {role}: GET {get}, POST {post}")
            if role == "anonymous" and not public and (get == 200 or post in (200, 201, 204)):
                suspicious.append(f"{route} answered an anonymous visitor: GET {get}, POST {post}")
        rows.append(f"| `{route}`{' (public)' if public else ''} | " + " | ".join(cells) + " |")
    print("| route | " + " | ".join(ROLES) + " |")
    print("|---|" + "---|" * len(ROLES))
    print("\n".join(rows))
    print()
    print(f"{len(rows)} routes x {len(ROLES)} roles x (GET, POST) = {len(rows) * len(ROLES) * 2} requests "
          f"(DEBUG={settings.DEBUG})")
    for role in ROLES:
        print(f"{role}: GET answers by class: {dict(sorted(tally[role].items()))}")
    print("Suspicious: " + ("none" if not suspicious else "\n  " + "\n  ".join(suspicious)))
    return 1 if suspicious else 0


if __name__ == "__main__":
    raise SystemExit(main())
