"""Legal and admin users confirm each login with an authenticator code when REQUIRE_2FA is on."""

from __future__ import annotations

import re
import time
from base64 import b32decode
from urllib.parse import parse_qs, urlparse

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.audit import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def required(settings):
    settings.REQUIRE_2FA = True


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def log_in(client, user) -> None:
    client.post("/accounts/login/", {"username": user.username, "password": f"{user.username}-password-123"})


def test_legal_enrols_an_app_then_reaches_the_pages(client, legal):
    log_in(client, legal)
    held = client.get("/")
    assert held.status_code == 302 and held["Location"].startswith("/accounts/2fa/")
    page = client.get(held["Location"]).content.decode()
    assert "<svg" in page
    secret = re.search(r"otpauth://totp/[^<\s]+", page).group(0).replace("&amp;", "&")
    key = parse_qs(urlparse(secret).query)["secret"][0]
    device = TOTPDevice.objects.get(user=legal)
    assert b32decode(key) == device.bin_key
    wrong = client.post("/accounts/2fa/", {"code": "000000", "next": "/"})
    assert "That code is not valid" in wrong.content.decode()
    time.sleep(1.1)  # django-otp refuses any code for a second after a wrong one (throttling)
    done = client.post("/accounts/2fa/", {"code": code_for(device), "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.get("/").status_code == 200
    actions = set(AuditEvent.objects.filter(actor=legal).values_list("action", flat=True))
    assert {"auth.2fa_enrolled", "auth.2fa_verified", "auth.2fa_failed"} <= actions


def test_a_responder_needs_no_second_factor(client, responder):
    log_in(client, responder)
    assert client.get("/").status_code == 200


def test_an_unverified_legal_session_gets_403_from_the_api(client, legal):
    log_in(client, legal)
    answer = client.get("/api/incidents/")
    assert answer.status_code == 403 and answer.json()["code"] == "second_factor_required"


def test_the_token_endpoint_asks_legal_for_the_code(client, legal):
    device = TOTPDevice.objects.create(user=legal, name="phone", confirmed=True)
    credentials = {"username": legal.username, "password": "leo_legal-password-123"}
    missing = client.post("/api/auth/token/", credentials)
    assert missing.status_code == 400 and "otp" in missing.json()
    issued = client.post("/api/auth/token/", credentials | {"otp": code_for(device)})
    assert issued.status_code == 200 and issued.json()["token"]
    assert AuditEvent.objects.filter(actor=legal, action="auth.2fa_failed").exists()
