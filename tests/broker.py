"""Pointing this process's Celery at a dead broker, or at a filesystem broker whose messages a test reads."""

from __future__ import annotations

import json
from pathlib import Path

from config.celery import app as celery_app

# Nothing listens on the discard port: every publish fails at once.
DEAD_BROKER = "redis://127.0.0.1:9/0"


def broker_at(monkeypatch, url: str, options: dict | None = None) -> None:
    # Celery prefers the CELERY_BROKER_URL environment variable (set by the integration run) to its conf, also
    # when monkeypatch reads the value to restore: the conf is patched first, or the test's URL would stay.
    monkeypatch.setattr(celery_app.conf, "broker_url", url)
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    if options is not None:
        monkeypatch.setattr(celery_app.conf, "broker_transport_options", options)


def filesystem_broker_at(monkeypatch, folder: Path) -> None:
    """Publish into ``folder`` (created), where ``broker_messages`` reads what was published."""
    folder.mkdir(parents=True, exist_ok=True)
    broker_at(monkeypatch, "filesystem://", {
        "data_folder_in": str(folder), "data_folder_out": str(folder), "control_folder": str(folder),
    })


def broker_messages(folder: Path) -> list[dict]:
    """Each message published into ``folder``: its task name and its arguments as Celery shows them."""
    bodies = []
    for path in folder.glob("*.msg"):
        message = json.loads(path.read_text())
        bodies.append({"task": message["headers"]["task"], "args": message["headers"]["argsrepr"]})
    return bodies
