"""Named personas shared by every test: a responder, a legal approver, an admin and an outsider."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, User
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from incidents import services

pytest_plugins = ["tests.fakes.fixtures"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Tests create many users; the production hasher's deliberate slowness only costs time here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Timing is never asserted by tests (figures live in benchmarks); on a loaded 2-core CI machine
# Hypothesis's speed health checks and per-example deadline would only make the suite flaky.
hypothesis_settings.register_profile(
    "breachline", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
hypothesis_settings.load_profile("breachline")


def _user(username: str, group: str | None = None) -> User:
    user = User.objects.create_user(username=username, password=f"{username}-password-123")
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def responder(db) -> User:
    return _user("rita_responder", "responder")


@pytest.fixture
def legal(db) -> User:
    return _user("leo_legal", "legal")


@pytest.fixture
def second_legal(db) -> User:
    return _user("lena_legal", "legal")


@pytest.fixture
def admin_user(db) -> User:
    return _user("ada_admin", "admin")


@pytest.fixture
def outsider(db) -> User:
    return _user("oscar_outsider")


def api_client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api_as():
    return api_client_for


AWARE_AT = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def incident(responder):
    return services.incident_create(
        actor=responder,
        title="Leaked customer database",
        description="A backup was readable from the internet.",
        occurred_at=datetime(2026, 3, 25, 22, 0, tzinfo=UTC),
        aware_at=AWARE_AT,
        affected={"DE": 1200, "US-CA": 501},
        data_categories=["name", "email_address", "password"],
    )


def pytest_collection_modifyitems(config, items):
    """Integration tests need PostgreSQL, Redis and a worker: run them only where .ci/run asks for them."""
    if os.environ.get("BREACHLINE_INTEGRATION") == "1":
        return
    skip = pytest.mark.skip(reason="integration test: set BREACHLINE_INTEGRATION=1 (make integration)")
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)
