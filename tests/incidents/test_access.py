"""Logging in: expiring and revocable API tokens, lockout after failed attempts, every attempt audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone

from incidents.audit import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "rita_responder-password-123"


def token_for(client, username: str, password: str = PASSWORD):
    return client.post("/api/auth/token/", {"username": username, "password": password})


def org_actions() -> list[str]:
    return list(AuditEvent.objects.filter(incident=None).order_by("seq").values_list("action", flat=True))


def test_a_token_works_until_it_expires(client, responder, settings):
    answer = token_for(client, responder.username)
    assert answer.status_code == 200
    body = answer.json()
    headers = {"HTTP_AUTHORIZATION": f"Token {body['token']}"}
    assert client.get("/api/incidents/", **headers).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert client.get("/api/incidents/", **headers).status_code == 401
    assert "auth.token_created" in org_actions()


def test_a_revoked_token_stops_working_and_the_revocation_is_audited(client, responder):
    headers = {"HTTP_AUTHORIZATION": f"Token {token_for(client, responder.username).json()['token']}"}
    assert client.delete("/api/auth/token/", **headers).status_code == 204
    assert client.get("/api/incidents/", **headers).status_code == 401
    assert "auth.token_revoked" in org_actions()


def test_changing_the_password_revokes_every_token(client, responder):
    tokens = [token_for(client, responder.username).json()["token"] for _ in range(2)]
    responder.set_password("a-completely-new-password-42")
    responder.save()
    for token in tokens:
        assert client.get("/api/incidents/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    changed = AuditEvent.objects.get(incident=None, action="auth.password_changed")
    assert changed.payload == {"tokens_revoked": 2}


def test_five_wrong_passwords_lock_the_token_endpoint_even_for_the_right_one(client, responder):
    for _ in range(4):
        assert token_for(client, responder.username, "wrong").status_code == 400
    assert token_for(client, responder.username, "wrong").status_code == 429
    locked = token_for(client, responder.username)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.json()["detail"]
    failed = AuditEvent.objects.filter(incident=None, action="auth.login_failed")
    assert failed.count() == 6
    assert failed.order_by("-seq").first().payload["locked_out"] is True
    assert all("wrong" not in str(event.payload) for event in failed)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert token_for(client, responder.username).status_code == 200


def test_the_login_page_locks_out_with_a_clear_message(client, responder):
    for _ in range(5):
        client.post("/accounts/login/", {"username": responder.username, "password": "wrong"})
    page = client.post("/accounts/login/", {"username": responder.username, "password": PASSWORD})
    assert page.status_code == 429
    assert "Too many failed logins" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_page_login_is_audited(client, responder):
    client.post("/accounts/login/", {"username": responder.username, "password": PASSWORD})
    login = AuditEvent.objects.get(incident=None, action="auth.login")
    assert login.actor == responder and login.payload["via"] == "session"


def test_a_deletion_in_the_admin_is_audited(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    doomed = User.objects.create_user(username="temp_contractor")
    client.force_login(admin_user)
    answer = client.post(f"/admin/auth/user/{doomed.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    deleted = AuditEvent.objects.get(incident=None, action="admin.deleted")
    assert deleted.actor == admin_user
    assert deleted.payload["model"] == "auth.User" and deleted.payload["object"] == "temp_contractor"
