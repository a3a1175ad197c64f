"""Secrets for a developer's machine, never for production.

With ``DEBUG`` on and no secret configured, a random value is generated once
and kept in ``var/dev-secrets.json`` (ignored by git), so that sessions and
encrypted recipient data survive a restart of ``make run``. With ``DEBUG`` off
this module is never consulted: production must configure every secret.
"""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path


def dev_secret(var_dir: Path, name: str, *, nbytes: int = 48) -> str:
    path = var_dir / "dev-secrets.json"
    stored: dict[str, str] = {}
    if path.exists():
        stored = json.loads(path.read_text(encoding="utf-8"))
    if name not in stored:
        stored[name] = base64.urlsafe_b64encode(secrets.token_bytes(nbytes)).decode("ascii")
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored, indent=2), encoding="utf-8")
        path.chmod(0o600)
    return stored[name]
