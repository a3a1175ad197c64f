"""Schemathesis against the project's own /api/schema/, once per role, on a live server over PostgreSQL.

    make schemathesis        # SCHEMATHESIS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/schemathesis),
                             # SCHEMATHESIS_PORT (8089), SCHEMATHESIS_EXAMPLES (25 per operation),
                             # SCHEMATHESIS_PHASES (examples,fuzzing)

1. Recreate the database, migrate it and load the demo (users responder, legal, legal2, admin and the
   demo incident, whose ref every ``{ref}`` in a path takes, so that the calls reach real objects).
2. Start gunicorn on the database (tests/schemathesis/settings.py: the project's settings with the test suite's
   fast password hasher), mint one API token per role.
3. Run schemathesis as anonymous, responder, legal and admin: the schema's examples and generated requests,
   valid and invalid (at most SCHEMATHESIS_EXAMPLES per operation), checking that no answer is a 5xx and
   that every answer's status, content type and body are the ones the schema documents.
4. Print the figures per role; exit 1 on any failure. JUnit reports go to var/schemathesis/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/schemathesis")
PORT = int(os.environ.get("SCHEMATHESIS_PORT", "8089"))
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
# The coverage phase (every boundary and wrong type of every parameter) triples the time; CI runs without it,
# SCHEMATHESIS_PHASES=examples,coverage,fuzzing runs it too.
PHASES = os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing")
REPORTS = ROOT / "var" / "schemathesis"
ROLES = ("anonymous", "responder", "legal", "admin")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def recreate_database() -> None:
    import psycopg

    url = urlsplit(DATABASE_URL)
    name = url.path.lstrip("/")
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def manage(*args: str, env: dict) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def tokens_and_ref(env: dict) -> tuple[dict[str, str], str]:
    """One API token per demo role, minted with the server's own settings, and the demo incident's ref."""
    code = ("from django.contrib.auth.models import User; from knox.models import AuthToken; "
            "from incidents.models import Incident; "
            "print(' '.join(AuthToken.objects.create(User.objects.get(username=n))[1] "
            "for n in ('responder', 'legal', 'admin')), Incident.objects.get().ref)")
    *keys, ref = subprocess.run([str(BIN / "python"), "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                                check=True, capture_output=True, text=True).stdout.splitlines()[-1].split()
    return dict(zip(("responder", "legal", "admin"), keys, strict=True)), ref


def wait_for(url: str, server: subprocess.Popen) -> None:
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own server on 127.0.0.1
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer")


def fetch_schema(token: str) -> Path:
    """The server's own /api/schema/, fetched once: generating it takes seconds, four runs would wait each time."""
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}/api/schema/?format=json",
                                     headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - our own server on 127.0.0.1
        path = REPORTS / "schema.json"
        path.write_bytes(response.read())
    return path


def run_role(role: str, token: str | None, ref: str, schema: Path, env: dict) -> bool:
    config = REPORTS / f"{role}.toml"
    config.write_text(f'[parameters]\n"path.ref" = "{ref}"\n')
    command = [
        str(BIN / "schemathesis"), "--config-file", str(config), "run", str(schema), "--url", f"http://127.0.0.1:{PORT}",
        "--checks", CHECKS, "--max-examples", str(EXAMPLES), "--phases", PHASES,
        "--seed", "13", "--workers", "1", "--no-shrink", "--suppress-health-check", "all",
        "--report", "junit", "--report-junit-path", str(REPORTS / f"{role}.xml"),
        # Revoking its own token would leave the rest of the run anonymous.
        "--exclude-by", "method == 'DELETE' and path == '/api/auth/token/'",
    ]
    if token:
        command += ["--header", f"Authorization: Token {token}"]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env)
    print(f"== schemathesis as {role}: exit {result.returncode} in {time.monotonic() - started:.0f} s", flush=True)
    return result.returncode == 0


def main() -> int:
    REPORTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": DATABASE_URL, "REQUIRE_2FA": "false",
           "LOGIN_FAILURE_LIMIT": "1000000", "LOG_LEVEL": "ERROR",
           "DJANGO_SETTINGS_MODULE": "tests.schemathesis.settings"}
    started = time.monotonic()
    recreate_database()
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    keys, ref = tokens_and_ref(env)
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{PORT}", "--workers", "2",
         "--timeout", "120", "--log-level", "warning"], cwd=ROOT, env=env,
        stdout=(REPORTS / "server.log").open("w"), stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz", server)
        schema = fetch_schema(keys["admin"])
        passed = [run_role(role, keys.get(role), ref, schema, env) for role in ROLES]
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"== schemathesis: {sum(passed)} of {len(ROLES)} roles clean in {time.monotonic() - started:.0f} s")
    return 0 if all(passed) else 1


if __name__ == "__main__":
    sys.exit(main())
