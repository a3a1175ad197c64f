"""The notice editor under generated text: any unicode, control characters, huge strings,
placeholders and HTML. An edit is stored exactly (line breaks as the page sends them) or refused
with 400 naming ``elements``; never a 500, never a NUL byte or a lone surrogate stored; the
editor page shows what was stored, and every rendering escapes the HTML typed."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from incidents.text import text_problem
from notifications.notices import rendering
from notifications.notices.services import ELEMENT_MAX_LENGTH

# Markup no notice template contains: if it appears in a rendering unescaped, typed HTML got through.
HOSTILE = ['<script>alert("x")</script>', "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
           "<a href='javascript:alert(1)'>", "</textarea><b>"]
PIECES = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=12),  # any code point, surrogates too
    st.sampled_from([*HOSTILE, "[[name]]", "[[link]]", "[[x]]", "{{ x }}", "{{x}}", "{% if x %}", "&amp;", "&lt;",
                     "\x00", "\udfff", "\x1b[2J", "\x7f", "\r\n", "\r", "\n", "\t", "\u202e", "😀", "中文"]),
    st.integers(min_value=ELEMENT_MAX_LENGTH - 2, max_value=ELEMENT_MAX_LENGTH + 2).map(lambda n: "x" * n),
    st.integers(min_value=1, max_value=300_000).map(lambda n: "y" * n),
)
TEXTS = st.lists(PIECES, max_size=6).map("".join)
CODES = st.sampled_from(["nature", "cause"])
_SURROGATE = re.compile("[\ud800-\udfff]")
SLOW = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]


def _acceptable(text: str) -> bool:
    return not text_problem(text) and len(text) <= ELEMENT_MAX_LENGTH


def _as_stored(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class _Textareas(HTMLParser):
    """The text each editor textarea holds as a browser reads it, per (form language, element code)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: dict[tuple[str, str], str] = {}
        self._language = ""
        self._open: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form" and "data-language" in values:
            self._language = values["data-language"] or ""
        if tag == "textarea" and self._language:
            self._open = (self._language, values.get("name") or "")
            self.texts[self._open] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self.texts[self._open] += data

    def shown(self, language: str, code: str) -> str:
        # A browser drops one line break right after <textarea> and reads CR LF and CR as LF.
        text = self.texts[(language, code)]
        return _as_stored(text.removeprefix("\n") if text.startswith("\n") else text)


def _shown_in_editor(client: Client, notice) -> _Textareas:
    page = client.get(f"/notices/{notice.pk}/")
    assert page.status_code == 200
    parser = _Textareas()
    parser.feed(page.content.decode())
    return parser


def _assert_stored_and_escaped(notice, code: str, text: str) -> None:
    notice.refresh_from_db()
    notice.forget_current_version()
    stored = notice.current_version.text("en", code)
    assert stored == _as_stored(text)
    assert not text_problem(stored)
    for recipient in (None, rendering.sample_recipient(notice, "en")):
        html = rendering.render_message(version=notice.current_version, channel="email", language="en",
                                        recipient=recipient).html
        assert not [hostile for hostile in HOSTILE if hostile in text and hostile in html]


@pytest.mark.django_db
@settings(max_examples=30, suppress_health_check=SLOW)
@given(code=CODES, text=TEXTS)
def test_the_api_stores_exactly_what_was_sent_or_answers_400(api_as, client, responder, individual_notice, code, text):
    # As any JSON client sends it: a lone surrogate travels escaped, as JSON allows.
    body = json.dumps({"language": "en", "elements": {code: text}})
    response = api_as(responder).patch(f"/api/notices/{individual_notice.pk}/", body, content_type="application/json")
    assert response.status_code == (200 if _acceptable(text) else 400), response.content[:300]
    event(f"answered {response.status_code}")
    if response.status_code == 400:
        assert "elements" in response.json()
        return
    _assert_stored_and_escaped(individual_notice, code, text)
    client.force_login(responder)
    assert _shown_in_editor(client, individual_notice).shown("en", code) == _as_stored(text)


@pytest.mark.django_db
@settings(max_examples=20, suppress_health_check=SLOW)
@given(code=CODES, text=TEXTS)
def test_the_editor_page_stores_what_was_typed_or_says_why_not(client, responder, individual_notice, code, text):
    text = _SURROGATE.sub("\ufffd", text)  # what a browser sends for a lone surrogate in a field
    client.force_login(responder)
    before = individual_notice.versions.count()
    response = client.post(f"/notices/{individual_notice.pk}/", {"language": "en", code: text}, follow=True)
    assert response.status_code == 200
    event("stored" if _acceptable(text) else "refused")
    if not _acceptable(text):
        assert individual_notice.versions.count() == before
        assert f"{code}: " in response.content.decode()
        return
    _assert_stored_and_escaped(individual_notice, code, text)
    assert _shown_in_editor(client, individual_notice).shown("en", code) == _as_stored(text)
