"""Load balancers ask /healthz and /readyz; every answer carries a request id that the logs carry too."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.broker import DEAD_BROKER, broker_at
from tests.config.test_settings import PRODUCTION

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_a_login(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_readyz_reports_each_dependency(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["checks"] == {
        "database": "ok", "broker": "ok", "rule_files": "ok", "encryption_keys": "ok",
    }


def test_readyz_is_unavailable_naming_the_broker_when_it_does_not_answer(client, monkeypatch):
    broker_at(monkeypatch, DEAD_BROKER)
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["status"] == "unavailable"
    assert answer.json()["checks"]["broker"] == "failed"
    assert answer.json()["checks"]["database"] == "ok"


def test_probes_answer_any_host_name(client):
    assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200


def test_a_valid_request_id_is_kept_and_a_bad_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a.1")["X-Request-ID"] == "lb-7f3a.1"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert replaced != "<script>" and len(replaced) == 32


def test_json_logs_carry_the_request_id(tmp_path):
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from django.test import Client;"
        "Client().get('/no-such-page/', HTTP_X_REQUEST_ID='req-42', HTTP_HOST='localhost')"
    )
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env |= {"DEBUG": "1", "LOG_FORMAT": "json", "BREACHLINE_VAR_DIR": str(tmp_path)}
    # The timeout only guards against a hang: on a loaded machine the fresh database's migrations alone take long.
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300)
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    not_found = next(line for line in lines if line["logger"] == "django.request")
    assert not_found["request_id"] == "req-42"
    assert not_found["level"] == "WARNING" and "Not Found" in not_found["message"]


def test_gunicorn_serves_the_production_configuration(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "DATABASE_URL"}}
    env |= PRODUCTION | {"BREACHLINE_VAR_DIR": str(tmp_path), "GUNICORN_BIND": f"127.0.0.1:{port}",
                         "GUNICORN_WORKERS": "1"}
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert health.status == 200 and health.headers["X-Request-ID"]
        plain = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        plain.request("GET", "/accounts/login/", headers={"Host": "breach.example.com"})
        redirect = plain.getresponse()
        assert redirect.status == 301
        assert redirect.getheader("Location") == "https://breach.example.com/accounts/login/"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
