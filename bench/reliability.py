"""Fault injection under a fan-out: what is lost (must be nothing) and how many second copies.

    .venv/bin/python bench/reliability.py --recipients 5000            # every scenario
    .venv/bin/python bench/reliability.py --recipients 5000 --scenarios kill,broker

Each scenario imports ``--recipients`` people into an incident of its own and sends one approved
notice over e-mail, SMS and push to the local fakes (bench/fakes_server.py, counting per address)
with real Celery workers and beat on PostgreSQL (database ``breachline_reliability``, made afresh)
and a Redis server of its own (``redis-server`` on ``--redis-port``, default 8201, no persistence,
started, stopped and restarted by this script; the machine's shared Redis is never touched). Faults:

- ``kill``: SIGKILL a worker three times during the fan-out, starting a fresh one each time;
- ``broker``: the broker is down when the notice is sent (the dispatch waits in the outbox), back 10 s later;
- ``redis``: the broker restarted mid-run, losing every message it held;
- ``postgres``: every connection of the workers and beat killed twice mid-run (``pg_terminate_backend``);
- ``providers``: 429s from the SMS provider and 500s from push for the first messages of each, and
  transient SMTP 451s.

Lost = people a channel never reached (distinct addresses at the fake below the deliveries the
database planned) plus deliveries left open; duplicates = messages received minus distinct addresses,
against the documented bound (``DELIVERY_RECORD_EVERY`` per worker process killed between a provider's
acceptance and our record of it; none for the other faults).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.fanout import (  # noqa: E402
    CELERY,
    bench_env,
    fake_stats,
    manage,
    recreate_database,
    reset_fakes,
    setup_django,
    start_fakes,
    write_csv,
)

SCENARIOS = ("kill", "broker", "redis", "postgres", "providers")
DATABASE = "breachline_reliability"
RECORD_EVERY = 20
# Short recovery periods for the run, so that the sweep's work shows within minutes.
RECOVERY = {
    "DELIVERY_SWEEP_SECONDS": "5", "DELIVERY_STUCK_SECONDS": "40", "DELIVERY_REQUEUE_SECONDS": "30",
    "DISPATCH_RELAY_SECONDS": "2", "DELIVERY_RETRY_BASE_SECONDS": "1", "DELIVERY_RETRY_MAX_SECONDS": "5",
    "DELIVERY_RECORD_EVERY": str(RECORD_EVERY), "DELIVERY_BATCH_SIZE": "100",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--redis-port", type=int, default=8201)
    parser.add_argument("--concurrency", type=int, default=2, help="processes per worker")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds a scenario may take")
    return parser.parse_args()


class Redis:
    """A redis-server of this script's own, without persistence: a restart loses what it held."""

    def __init__(self, port: int, workdir: Path) -> None:
        self.port, self.workdir = port, workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout == b"PONG\n":
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None


class Processes:
    """Workers and beat, each in its own process group."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env, self.workdir = env, workdir
        self.workers: list[subprocess.Popen] = []
        self.beat: subprocess.Popen | None = None
        self.count = 0

    def start_worker(self, concurrency: int) -> subprocess.Popen:
        self.count += 1
        name = f"rel{self.count}"
        process = subprocess.Popen(
            [CELERY, "-A", "config", "worker", "--loglevel=WARNING", f"--concurrency={concurrency}", "-Q", "bench",
             "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=(self.workdir / f"{name}.log").open("wb"),
            stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append(process)
        return process

    def start_beat(self) -> None:
        self.beat = subprocess.Popen(
            [CELERY, "-A", "config", "beat", "--loglevel=WARNING", "-s", str(self.workdir / "beat-schedule")],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=(self.workdir / "beat.log").open("wb"),
            stderr=subprocess.STDOUT, start_new_session=True)

    def kill_worker(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in [*self.workers, *([self.beat] if self.beat else [])]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=300)
        self.workers, self.beat = [], None


def prepare(index: int, recipients: int, env: dict[str, str], workdir: Path):
    """A new incident with ``recipients`` people imported and an approved notice; return (notice, sender)."""
    from django.contrib.auth.models import Group, User

    from bench.scenario import approved_notice
    from incidents import services
    from notifications.models import Notice

    responder, _ = User.objects.get_or_create(username="reliability_responder")
    responder.groups.add(Group.objects.get(name="responder"))
    sender, _ = User.objects.get_or_create(username="reliability_sender")
    sender.groups.add(Group.objects.get(name="legal"))
    incident = services.incident_create(
        actor=responder, title=f"Reliability run {index}", description="Fault injection.",
        occurred_at=datetime(2026, 3, 25, 22, 0, tzinfo=UTC), aware_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
        affected={"US-CA": 1, "DE": 1}, data_categories=["name", "email_address", "password"])
    path = workdir / f"people-{recipients}.csv"
    if not path.exists():
        write_csv(path, recipients)
    manage("import_recipients", incident.ref, str(path), "--json", "--as", responder.username, env=env)
    User.objects.filter(username="bench_legal").update(username=f"bench_legal_{index}")  # approved_notice makes one
    notice = approved_notice(incident)
    return Notice.objects.get(pk=notice.pk), sender


def progress(notice_id: int) -> tuple[int, int]:
    """(final deliveries, all deliveries) of the notice."""
    from notifications.delivery.completion import open_deliveries
    from notifications.models import Delivery

    everything = Delivery.objects.filter(notice_id=notice_id).exclude(error_code="no_address").count()
    return everything - open_deliveries(notice_id=notice_id).count(), everything


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def outcome(notice_id: int, stats: dict, started: float) -> dict:
    from django.db.models import Count

    from notifications.models import Delivery

    planned = dict(Delivery.objects.filter(notice_id=notice_id).exclude(error_code="no_address")
                   .values_list("channel").annotate(n=Count("recipient_id", distinct=True)).order_by())
    final, everything = progress(notice_id)
    received = {channel: stats.get(channel, {"total": 0, "distinct": 0}) for channel in planned}
    return {
        "deliveries": everything, "seconds": round(time.perf_counter() - started, 1),
        "lost": sum(max(0, planned[channel] - received[channel]["distinct"]) for channel in planned),
        "open": everything - final,
        "duplicates": sum(row["total"] - row["distinct"] for row in received.values()),
        "failed": Delivery.objects.filter(notice_id=notice_id, status="failed").count(),
        "received": received,
    }


def scenario(name: str, args, env: dict[str, str], fakes: dict[str, str], redis: Redis, workdir: Path,
             index: int) -> dict:
    from django.db import connection

    from notifications.delivery import queue
    from notifications.delivery.sending import notice_send

    notice, sender = prepare(index, args.recipients, env, workdir)
    reset_fakes(fakes["STATS_URL"])
    processes = Processes(env, workdir / name)
    (workdir / name).mkdir(exist_ok=True)
    result: dict = {"scenario": name, "recipients": args.recipients}
    try:
        if name == "providers":
            fail_url = fakes["STATS_URL"].replace("/stats", "/fail")
            windows: list[dict[str, str | int]] = [
                {"channel": "sms", "count": 300, "status": 429}, {"channel": "push", "count": 300, "status": 500},
                {"channel": "email", "count": 100, "status": 451}]
            for window in windows:
                requests.post(fail_url, json=window, timeout=10).raise_for_status()
            result["fault"] = "SMS 429 x300, push 500 x300, SMTP 451 x100 at the start"
        if name == "broker":
            redis.stop()
        workers = [processes.start_worker(args.concurrency) for _ in range(3 if name == "kill" else 2)]
        processes.start_beat()
        time.sleep(4)
        started = time.perf_counter()
        notice_send(actor=sender, notice=notice)
        total = progress(notice.pk)[1]
        if name == "broker":
            result["waiting_in_outbox"] = queue.dispatch_waiting(notice_id=notice.pk)
            time.sleep(10)
            redis.start()
            back = time.perf_counter()
            wait_for(lambda: progress(notice.pk)[0] > 0, args.timeout)
            result["first_delivery_after_broker_back_seconds"] = round(time.perf_counter() - back, 1)
            result["fault"] = "broker down at send, back 10 s later"
        if name == "kill":
            for kill, share in enumerate((0.15, 0.35, 0.55), start=1):
                wait_for(lambda share=share: progress(notice.pk)[0] >= share * total, args.timeout)
                processes.kill_worker(workers[kill - 1])
                workers.append(processes.start_worker(args.concurrency))
            result["fault"] = "SIGKILL of a worker (all its processes) at 15 %, 35 % and 55 %, a new one started each time"
            result["processes_killed"] = 3 * (args.concurrency + 1)
        if name == "redis":
            wait_for(lambda: progress(notice.pk)[0] >= 0.3 * total, args.timeout)
            redis.stop()
            redis.start()
            result["fault"] = "broker restarted at 30 % (every queued message lost)"
        if name == "postgres":
            killed = 0
            for share in (0.25, 0.5):
                wait_for(lambda share=share: progress(notice.pk)[0] >= share * total, args.timeout)
                with connection.cursor() as cursor:
                    cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                   "WHERE datname = %s AND pid <> pg_backend_pid()", [DATABASE])
                    killed += cursor.fetchone()[0]
            result["fault"] = f"pg_terminate_backend on every other connection at 25 % and 50 % ({killed} killed)"
        wait_for(lambda: progress(notice.pk)[0] >= total, args.timeout)
        time.sleep(3)  # the last acceptances reach the fakes' counters
        result.update(outcome(notice.pk, fake_stats(fakes["STATS_URL"]), started))
    finally:
        processes.stop_all()
        if redis.process is None:
            redis.start()
    return result


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="breachline-reliability-"))
    redis = Redis(args.redis_port, workdir)
    redis.start()
    fakes_process, fakes = start_fakes()
    env = bench_env(argparse.Namespace(database=DATABASE, redis_db=0), fakes)
    env.update(RECOVERY, CELERY_BROKER_URL=f"redis://127.0.0.1:{args.redis_port}/0", DB_CONN_MAX_AGE="0")
    results = []
    try:
        recreate_database(DATABASE)
        manage("migrate", "--noinput", env=env)
        setup_django(env)
        for index, name in enumerate(args.scenarios.split(","), start=1):
            result = scenario(name, args, env, fakes, redis, workdir, index)
            print(json.dumps(result), flush=True)
            results.append(result)
    finally:
        if fakes_process.stdin is not None:
            fakes_process.stdin.close()
        fakes_process.wait(timeout=30)
        redis.stop()
    print(f"{'scenario':<10} {'deliveries':>10} {'seconds':>8} {'lost':>5} {'open':>5} {'dupes':>6} {'failed':>6}")
    for row in results:
        print(f"{row['scenario']:<10} {row['deliveries']:>10} {row['seconds']:>8} {row['lost']:>5} {row['open']:>5} "
              f"{row['duplicates']:>6} {row['failed']:>6}")


if __name__ == "__main__":
    main()
