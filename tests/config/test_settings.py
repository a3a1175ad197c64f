"""Production settings refuse to start with a missing secret or a default password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k7Q-r2x" * 8
PRODUCTION = {
    "DEBUG": "false", "SECRET_KEY": STRONG_KEY, "FIELD_ENCRYPTION_KEYS": "a" * 44, "FIELD_HASH_KEY": "b" * 44,
    "AUDIT_CHAIN_KEYS": "c" * 44, "ALLOWED_HOSTS": "breach.example.com", "BEHIND_TLS_PROXY": "true",
}


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup()"],
        cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=300,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    result = start(DEBUG="false", BREACHLINE_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_refuses_a_default_database_password_when_debug_is_off(tmp_path):
    result = start(
        DEBUG="false", SECRET_KEY=STRONG_KEY, FIELD_ENCRYPTION_KEYS="a" * 44, FIELD_HASH_KEY="b" * 44,
        DATABASE_URL="postgres://app:postgres@db:5432/breachline", BREACHLINE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "well-known password 'postgres'" in result.stderr


def test_a_bad_boolean_names_the_variable(tmp_path):
    result = start(DEBUG="maybe", BREACHLINE_VAR_DIR=str(tmp_path))
    assert "DEBUG must be true or false, got 'maybe'" in result.stderr


def test_starts_with_every_secret_configured(tmp_path):
    result = start(**PRODUCTION, BREACHLINE_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"FIELD_ENCRYPTION_KEYS": "abc"}, "Every FIELD_ENCRYPTION_KEYS key must be at least 32 characters"),
        ({"FIELD_HASH_KEY": "short"}, "Every FIELD_HASH_KEY key must be at least 32 characters"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS may not contain '*'"),
        ({"SECRET_KEY": "x" * 60}, "SECRET_KEY must be at least 50 characters long, with at least 5 different"),
        ({"BEHIND_TLS_PROXY": "false"}, "With DEBUG off Breachline serves HTTPS only"),
    ],
)
def test_refuses_weak_production_settings_naming_the_variable(tmp_path, change, message):
    result = start(**(PRODUCTION | change), BREACHLINE_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert message in result.stderr


def test_the_documented_production_environment_passes_check_deploy_with_no_warning(tmp_path):
    clean = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=clean | PRODUCTION | {"BREACHLINE_VAR_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_refuses_to_start_without_an_audit_key_when_debug_is_off(tmp_path):
    without_audit_key = {key: value for key, value in PRODUCTION.items() if key != "AUDIT_CHAIN_KEYS"}
    result = start(**without_audit_key, BREACHLINE_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "AUDIT_CHAIN_KEYS is not set" in result.stderr


def test_refuses_a_short_audit_key_when_debug_is_off(tmp_path):
    result = start(**(PRODUCTION | {"AUDIT_CHAIN_KEYS": "c" * 44 + ",abc"}), BREACHLINE_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "AUDIT_CHAIN_KEYS key must be at least 32 characters" in result.stderr
