"""The Content-Security-Policy header (django-csp): scripts and styles from our origin only, nothing inline
but the notices' own stylesheet by its hash, no eval; and no template carries inline script or style.
tests/browser/test_content_security_policy.py loads the pages in Chromium and sees no violation."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from django.conf import settings
from django.test import Client

from notifications.notices import rendering
from tests.notifications.delivery_helpers import approved_notice

INLINE = re.compile(r"<style|\sstyle=|<script(?![^>]*\ssrc=)|\son[a-z]+=", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.parametrize("path", ["/", "/incidents/", "/api/docs/", "/api/incidents/", "/accounts/login/"])
def test_every_page_sends_the_policy_without_unsafe_inline_or_eval(client: Client, responder, path):
    client.force_login(responder)
    response = client.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"][0] == "'self'" and policy["object-src"] == ["'none'"]
    assert "unsafe" not in response["Content-Security-Policy"]


def test_the_policy_allows_exactly_the_stylesheet_a_notice_carries_inline(client: Client, incident):
    notice = approved_notice(incident)
    html = rendering.render_message(version=notice.current_version, channel="email", language="en").html
    inline = re.search(r"<style>(.*?)</style>", html, re.DOTALL)[1]
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    response = client.get("/accounts/login/")
    assert _policy(response)["style-src"] == ["'self'", f"'sha256-{digest}'"]


def test_no_page_template_carries_inline_script_style_or_event_handlers():
    """The notices' templates (e-mails: their styles must travel inline) are the one exception."""
    templates = settings.BASE_DIR / "templates"
    offending = [
        f"{path.relative_to(templates)}: {match[0]}"
        for path in templates.rglob("*.html") if "notices" not in path.parts
        for match in INLINE.finditer(path.read_text())
    ]
    assert offending == []
