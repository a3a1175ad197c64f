"""The personal notice page /n/<token>/: no login, unguessable, 404 for anything else."""

from __future__ import annotations

import pytest
from django.test import Client

from incidents.models import AuditEvent
from notifications.models.recipient import Recipient, new_personal_token


@pytest.fixture
def person(incident) -> Recipient:
    recipient = Recipient(incident=incident, external_id="p-1", jurisdiction="DE", language="en")
    recipient.set_contact(name="Ada", email="ada@example.org")
    recipient.save()
    return recipient


def test_the_page_opens_without_login_and_is_never_cached_or_indexed(person):
    response = Client().get(f"/n/{person.personal_token}/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


@pytest.mark.parametrize("token", [new_personal_token(), "short", "x" * 200, "../../etc/passwd"],
                         ids=["unknown", "short", "long", "path"])
def test_an_unknown_or_malformed_token_answers_404(person, token):
    assert Client().get(f"/n/{token}/").status_code == 404


def test_a_token_differing_in_one_character_answers_404(person):
    token = person.personal_token
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert Client().get(f"/n/{altered}/").status_code == 404


def test_before_any_notice_is_approved_the_page_says_it_is_being_prepared(person):
    response = Client().get(f"/n/{person.personal_token}/")
    assert "Your notice is being prepared" in response.content.decode()
    person.refresh_from_db()
    assert person.read_at is None
    assert not AuditEvent.objects.filter(action="recipient.notice_opened").exists()


def test_the_page_speaks_the_persons_language(person):
    person.language = "zh-hans"
    person.save()
    response = Client().get(f"/n/{person.personal_token}/")
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_page_shows_no_contact_detail_of_the_person_before_a_notice_exists(person):
    body = Client().get(f"/n/{person.personal_token}/").content.decode()
    assert "ada@example.org" not in body
