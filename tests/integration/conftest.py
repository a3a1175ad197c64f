"""Real Celery workers for integration tests, pointed at pytest's test database and the local fakes.

A worker is ``celery -A config worker`` in its own process group, configured
only through the environment, as in production: the test database's URL
(pytest-django's ``test_`` database, whose rows the worker sees because these
tests use ``django_db(transaction=True)``), a broker queue of its own, and the
fakes' addresses. Teardown stops every worker it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def test_database_url() -> str:
    """The URL of the database this test process uses (pytest-django's ``test_`` copy)."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("integration tests need DATABASE_URL pointing at PostgreSQL")
    credentials = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"worker {self.name} did not start:\n{self.log.read_text(errors='replace')[-4000:]}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the worker's whole process group (the parent and its pool children)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill(signal.SIGTERM)


@dataclass
class WorkerPool:
    """Starts workers with a shared environment; stops them all at teardown."""

    env: dict[str, str]
    tmp: Path
    workers: list[Worker] = field(default_factory=list)

    def start(self, *, concurrency: int = 2, extra_env: dict[str, str] | None = None) -> Worker:
        name = f"w{len(self.workers) + 1}-{uuid.uuid4().hex[:6]}"
        log = self.tmp / f"{name}.log"
        process = subprocess.Popen(
            [CELERY, "-A", "config", "worker", "--loglevel=INFO", f"--concurrency={concurrency}",
             "--pool=prefork", "-n", f"{name}@%h", "-Q", self.env["CELERY_TASK_DEFAULT_QUEUE"],
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env={**os.environ, **self.env, **(extra_env or {})},
            stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        worker = Worker(name, process, log)
        self.workers.append(worker)
        worker.wait_ready()
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop()


@pytest.fixture
def worker_env(settings, smtp_server, twilio_server, fcm_server, live_server) -> dict[str, str]:
    """The worker's environment: test database, own queue, the fakes, callbacks to the live server."""
    queue = f"test-{uuid.uuid4().hex[:10]}"
    settings.BREACHLINE_BASE_URL = live_server.url
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    env = {
        "DEBUG": "1",
        "DATABASE_URL": test_database_url(),
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "FIELD_HASH_KEY": settings.FIELD_HASH_KEY,
        "BREACHLINE_BASE_URL": live_server.url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": smtp_server.host,
        "EMAIL_PORT": str(smtp_server.port),
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
        "TWILIO_ACCOUNT_SID": twilio_server.account_sid,
        "TWILIO_AUTH_TOKEN": twilio_server.auth_token,
        "TWILIO_FROM_NUMBER": settings.TWILIO_FROM_NUMBER,
        "TWILIO_API_BASE_URL": twilio_server.base_url,
        "FCM_PROJECT_ID": fcm_server.project_id,
        "FCM_CREDENTIALS_FILE": settings.FCM_CREDENTIALS_FILE,
        "FCM_API_BASE_URL": fcm_server.base_url,
        "PROVIDER_TIMEOUT_SECONDS": "5",
        "EMAIL_RATE_PER_SECOND": "0",
        "SMS_RATE_PER_SECOND": "0",
        "PUSH_RATE_PER_SECOND": "0",
        "DELIVERY_BATCH_SIZE": "25",
        "DELIVERY_RETRY_BASE_SECONDS": "1",
        "DELIVERY_RETRY_MAX_SECONDS": "3",
    }
    yield env
    celery_app.conf.task_default_queue = previous_queue


@pytest.fixture
def workers(worker_env, tmp_path) -> WorkerPool:
    pool = WorkerPool(env=worker_env, tmp=tmp_path)
    yield pool
    pool.stop_all()


def wait_until(predicate, *, timeout: float = 60.0, interval: float = 0.2, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(message or "condition not met in time")
