"""Fan-out benchmark: import N people, send one approved notice over e-mail, SMS and push.

    make bench N=100000          # or: .venv/bin/python bench/fanout.py --recipients 20000

Runs on PostgreSQL and Redis (a database of its own, ``breachline_bench``, made
afresh; Redis database 2, or --redis-db) with real Celery workers and the local fakes in a
process of their own. Prints import rows/s, deliveries/s, p50/p99 from queueing
to provider acceptance, peak RSS of every process, the messages the fakes
received against those expected, and, timed in the same run, PostgreSQL COPY of
the same CSV and a bare loop sending to the same fakes, with our figures as
ratios of those. ``--record`` appends the results to BENCHMARKS.md.

Rate limits are off (0) for the run: with them on, the figure measured would be the setting.

``--mix cn`` (``make bench MIX=cn``) is the CN-heavy mix: 80 % of the people live in mainland China
with a +86 mobile, their SMS goes through Tencent Cloud SMS with the registered template (the
organisation's route: Tencent, Alibaba, Twilio) and half of them have a JPush registration id; the
bare loop then sends the same mix through the same SDKs (Tencent for +86, Twilio for the rest, JPush
for JPush ids, FCM for the rest).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
CELERY = str(Path(sys.executable).with_name("celery"))
JURISDICTIONS = ("US-CA", "DE", "FR", "GB", "US-NY")
CSV_COLUMNS = [
    "external_id", "name", "email", "phone", "jurisdiction", "language", "fcm_token", "data_categories",
    "jpush_registration_id",
]
# In the CN-heavy mix, 8 people in 10 live in mainland China.
CN_SHARE = 10
CN_PER_SHARE = 8


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (default: 2, one per core)")
    parser.add_argument("--bare-sample", type=int, default=5000, help="messages per channel in the bare loop")
    parser.add_argument("--database", default="breachline_bench")
    parser.add_argument("--redis-db", type=int, default=2, help="Redis database for the broker (flushed first)")
    parser.add_argument("--record", action="store_true", help="append the results to BENCHMARKS.md")
    parser.add_argument("--mix", choices=["global", "cn"], default="global",
                        help="global: US, DE, FR, GB (the default); cn: 80%% mainland China (Tencent, JPush)")
    parser.add_argument("--timeout", type=float, default=4 * 3600)
    parser.add_argument(
        "--fanout-seconds", type=float, default=0,
        help="stop the fan-out after this many seconds: a partial run, for sizes whose whole fan-out outlasts "
        "the time at hand (the counts then cover the deliveries finished; default: wait for all)",
    )
    return parser.parse_args()


# Setup.


def start_fakes() -> tuple[subprocess.Popen, dict[str, str]]:
    process = subprocess.Popen(
        [PYTHON, str(ROOT / "bench" / "fakes_server.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None  # a pipe, asked for above
    return process, json.loads(process.stdout.readline())


def bench_env(args, fakes: dict[str, str]) -> dict[str, str]:
    # DEBUG off as in production (DEBUG keeps every SQL statement of a worker in memory).
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEYS": secrets.token_urlsafe(32),
        "FIELD_HASH_KEY": secrets.token_urlsafe(32),
        "AUDIT_CHAIN_KEYS": secrets.token_urlsafe(32),
        "BREACHLINE_VAR_DIR": str(ROOT / "var" / "bench"),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        # DEBUG off refuses to start without HTTPS set up; the bench serves no HTTP at all.
        "BEHIND_TLS_PROXY": "true",
        "CELERY_TASK_DEFAULT_QUEUE": "bench",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DEFAULT_FROM_EMAIL": "Breachline Bench <privacy@bench.test>",
        "TWILIO_FROM_NUMBER": "+15005550006",
        "EMAIL_RATE_PER_SECOND": "0",
        "SMS_RATE_PER_SECOND": "0",
        "PUSH_RATE_PER_SECOND": "0",
        "TENCENT_SMS_RATE_PER_SECOND": "0",
        "ALIYUN_SMS_RATE_PER_SECOND": "0",
        "JPUSH_RATE_PER_SECOND": "0",
        "PROVIDER_TIMEOUT_SECONDS": "30",
        "LOG_LEVEL": "WARNING",
        **{key: value for key, value in fakes.items() if key != "STATS_URL"},
    }


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(*arguments: str, env: dict[str, str], measure: Path | None = None) -> subprocess.CompletedProcess:
    """Run manage.py; with ``measure``, the child writes its own peak RSS (KiB) there."""
    command = [PYTHON, str(ROOT / "bench" / "measure.py"), str(measure)] if measure else [PYTHON]
    return subprocess.run(
        [*command, str(ROOT / "manage.py"), *arguments], env={**os.environ, **env}, cwd=ROOT,
        capture_output=True, text=True, check=True,
    )


def is_cn(index: int, mix: str) -> bool:
    return mix == "cn" and index % CN_SHARE < CN_PER_SHARE


def write_csv(path: Path, count: int, mix: str = "global") -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for index in range(count):
            exchange, line = divmod(index, 10_000)
            cn = is_cn(index, mix)
            writer.writerow([
                f"P{index:08d}", f"Person {index}", f"person{index}@example.org",
                f"+86138{index:08d}" if cn else f"+1415{200 + exchange:03d}{line:04d}",
                "CN" if cn else JURISDICTIONS[index % len(JURISDICTIONS)],
                "zh-hans" if cn or index % 10 == 0 else "en",
                f"fcm-token-{index:08d}-{'x' * 40}", "email_address;password",
                f"1a0018970af{index:08d}" if cn and index % 2 == 0 else "",
            ])


# Measurements.


def _timed_copy_into(database: str, table: str, shape: str, copy_sql: str, source: IO[bytes]) -> float:
    """Seconds for ``copy_sql`` to load ``source`` into a new ``table`` created as ``shape``; then drops it."""
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{database}", autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(f"CREATE TABLE {table} {shape}")
        started = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        conn.execute(f"DROP TABLE {table}")
    return elapsed


def time_copy(path: Path, database: str) -> float:
    """Seconds for PostgreSQL COPY of the CSV into a plain table of text columns."""
    with path.open("rb") as handle:
        return _timed_copy_into(
            database, "bench_copy", "(" + ", ".join(f"{c} text" for c in CSV_COLUMNS) + ")",
            "COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)", handle,
        )


def time_copy_finished(database: str) -> float:
    """Seconds for COPY of the imported people, already checked, sealed and hashed, into an empty
    table shaped like the recipients table (its columns, indexes and constraints): the share of an
    import that is the database's own, whatever the importer does in Python."""
    import psycopg

    with tempfile.TemporaryFile() as rows:
        with (
            psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{database}") as conn,
            conn.cursor() as cursor,
            cursor.copy("COPY notifications_recipient TO STDOUT") as copy,
        ):
            for data in copy:
                rows.write(data)
        rows.seek(0)
        return _timed_copy_into(
            database, "bench_finished", "(LIKE notifications_recipient INCLUDING ALL)",
            "COPY bench_finished FROM STDIN", rows,
        )


def peak_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_tree(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return [pid, *[grand for child in children for grand in process_tree(child)]]


def fake_stats(url: str) -> dict:
    return requests.get(url, timeout=10).json()


def reset_fakes(url: str) -> None:
    requests.post(url, timeout=10).raise_for_status()


def bare_loop(sample: int, mix: str = "global") -> float:
    """Messages per second sending ``sample`` messages per channel, one after another, in one process,
    each straight through its provider's transport (in the CN mix: Tencent or Twilio, JPush or FCM)."""
    from notifications.channels.base import OutboundMessage, transport_for

    text = "There is an important notice about your account: https://bench.test/n/abcdef"
    transports = {name: transport_for(name) for name in ("email", "sms_twilio", "fcm")}
    if mix == "cn":
        transports.update({name: transport_for(name) for name in ("sms_tencent", "push_jpush")})
    params = {"1": "INC-2026-0001", "2": "2026年3月26日"}
    started = time.perf_counter()
    for channel in ("email", "sms", "push"):
        for index in range(sample):
            cn = is_cn(index, mix)
            if channel == "email":
                name, message = "email", OutboundMessage(to_address=f"bare{index}@example.org", text=text,
                                                         subject="Important notice")
            elif channel == "sms" and cn:
                name, message = "sms_tencent", OutboundMessage(
                    to_address=f"+86139{index:08d}", text=text, template="2105873",
                    template_params={**params, "3": f"bare{index:08d}"})
            elif channel == "sms":
                name, message = "sms_twilio", OutboundMessage(
                    to_address=f"+1650{200 + index // 10_000:03d}{index % 10_000:04d}", text=text)
            elif cn and index % 2 == 0:
                name, message = "push_jpush", OutboundMessage(to_address=f"bare{index:08d}", text=text,
                                                              subject="Important notice")
            else:
                name, message = "fcm", OutboundMessage(to_address=f"bare-token-{index:08d}", text=text,
                                                       subject="Important notice")
            transports[name].send(message)
    elapsed = time.perf_counter() - started
    for transport in transports.values():
        transport.close()
    return 3 * sample / elapsed


# The run.


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def wait_until_final(notice_id: int, timeout: float, *, stop_after: float = 0) -> float:
    """Poll until no delivery of the notice is queued or sending, or ``stop_after`` seconds have
    passed when it is set; return the instant (perf counter)."""
    from notifications.delivery.completion import open_deliveries

    started = time.perf_counter()
    while open_deliveries(notice_id=notice_id).exists():
        elapsed = time.perf_counter() - started
        if stop_after and elapsed > stop_after:
            break
        if elapsed > timeout:
            raise TimeoutError("deliveries still open at the timeout")
        time.sleep(0.5)
    return time.perf_counter()


def latency_percentiles(notice_id: int) -> tuple[float, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s), percentile_cont(0.99) WITHIN GROUP (ORDER BY s) "
            "FROM (SELECT EXTRACT(EPOCH FROM sent_at - queued_at) AS s FROM notifications_delivery "
            "WHERE notice_id = %s AND sent_at IS NOT NULL) t",
            [notice_id],
        )
        p50, p99 = cursor.fetchone()
    return float(p50 or 0), float(p99 or 0)


def expected_per_channel(notice_id: int) -> dict[str, int]:
    from django.db.models import Count

    from notifications.models import Delivery

    rows = (
        Delivery.objects.filter(notice_id=notice_id, sent_at__isnull=False)
        .values("channel").annotate(n=Count("id")).order_by()
    )
    return {row["channel"]: row["n"] for row in rows}


def start_workers(env: dict[str, str], concurrency: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [CELERY, "-A", "config", "worker", "--loglevel=WARNING", f"--concurrency={concurrency}", "-Q", "bench",
         "-n", "bench@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    time.sleep(5)
    return process


def run(args) -> dict:
    workdir = Path(os.environ.get("BENCH_DIR", ROOT / "var" / "bench"))
    workdir.mkdir(parents=True, exist_ok=True)
    fakes_process, fakes = start_fakes()
    env = bench_env(args, fakes)
    results: dict = {"recipients": args.recipients, "concurrency": args.concurrency, "mix": args.mix}
    worker = None
    try:
        recreate_database(args.database)
        manage("migrate", "--noinput", env=env)
        subprocess.run(["redis-cli", "-n", str(args.redis_db), "flushdb"], check=True, capture_output=True)
        setup_django(env)
        from bench.scenario import approved_notice, bench_incident, china_route

        incident = bench_incident()
        if args.mix == "cn":
            china_route()
        path = workdir / f"people-{args.recipients}-{args.mix}.csv"
        write_csv(path, args.recipients, args.mix)
        results["copy_seconds"] = time_copy(path, args.database)
        rss_file = workdir / "import.rss"
        started = time.perf_counter()
        manage("import_recipients", incident.ref, str(path), "--json", "--as", "bench_responder", env=env, measure=rss_file)
        results["import_seconds"] = time.perf_counter() - started
        results["rss_import_kib"], results["rss_import_children_kib"] = map(int, rss_file.read_text().split())
        results["copy_finished_seconds"] = time_copy_finished(args.database)
        notice = approved_notice(incident)
        worker = start_workers(env, args.concurrency, workdir / "worker.log")
        reset_fakes(fakes["STATS_URL"])
        results.update(send_and_wait(notice, args.timeout, args.fanout_seconds))
        results["rss_workers_kib"] = {pid: peak_rss_kib(pid) for pid in process_tree(worker.pid)}
        stop_workers(worker)
        worker = None
        results["finished"] = finished_deliveries(notice.pk)
        results["fakes_received"] = fake_stats(fakes["STATS_URL"])
        results["expected"] = expected_per_channel(notice.pk)
        results["p50_seconds"], results["p99_seconds"] = latency_percentiles(notice.pk)
        reset_fakes(fakes["STATS_URL"])
        results["bare_loop_per_second"] = bare_loop(min(args.bare_sample, args.recipients), args.mix)
        results["rss_bench_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results["rss_fakes_kib"] = peak_rss_kib(fakes_process.pid)
    finally:
        if worker is not None:
            stop_workers(worker)
        if fakes_process.stdin is not None:
            fakes_process.stdin.close()
        fakes_process.wait(timeout=30)
    return results


def stop_workers(worker: subprocess.Popen) -> None:
    """Warm shutdown: each worker finishes and records the batch it holds, so what the fakes
    received can be compared with what the database says was sent."""
    os.killpg(worker.pid, 15)
    worker.wait(timeout=300)


def finished_deliveries(notice_id: int) -> int:
    from notifications.delivery.completion import open_deliveries
    from notifications.models import Delivery

    everything = Delivery.objects.filter(notice_id=notice_id).exclude(error_code="no_address").count()
    return everything - open_deliveries(notice_id=notice_id).count()


def send_and_wait(notice, timeout: float, stop_after: float) -> dict:
    from django.contrib.auth.models import Group, User

    from notifications.delivery.sending import notice_send
    from notifications.models import Delivery

    sender = User.objects.create_user(username="bench_sender")
    sender.groups.add(Group.objects.get(name="legal"))
    started = time.perf_counter()
    notice_send(actor=sender, notice=notice)
    queued = time.perf_counter()
    finished = wait_until_final(notice.pk, timeout, stop_after=stop_after)
    deliveries = Delivery.objects.filter(notice=notice).exclude(error_code="no_address").count()
    return {
        "deliveries": deliveries,
        "queue_seconds": queued - started,
        "fanout_seconds": finished - started,
    }


def report(results: dict) -> str:
    n = results["recipients"]
    import_rate = n / results["import_seconds"]
    copy_rate = n / results["copy_seconds"]
    finished_rate = n / results["copy_finished_seconds"]
    fanout_rate = results["finished"] / results["fanout_seconds"]
    bare = results["bare_loop_per_second"]
    received = results["fakes_received"]
    expected = results["expected"]
    rss = {"import": results["rss_import_kib"], "import's checking processes": results["rss_import_children_kib"],
           "bench (notice_send, bare loop)": results["rss_bench_kib"],
           "fakes": results["rss_fakes_kib"]}
    rss.update({f"worker pid {pid}": kib for pid, kib in results["rss_workers_kib"].items()})
    lines = [
        f"recipients: {n:,}; deliveries: {results['deliveries']:,}; worker processes: {results['concurrency']}",
        f"import: {import_rate:,.0f} rows/s; PostgreSQL COPY: {copy_rate:,.0f} rows/s; ratio {import_rate / copy_rate:.2f} (target >= 0.33)",
        f"  the same people finished (checked, sealed, hashed), COPY into an empty recipients table: "
        f"{finished_rate:,.0f} rows/s; import is {import_rate / finished_rate:.2f} of that",
        f"creating deliveries in notice_send: {results['queue_seconds']:.1f} s",
        *(
            [f"partial run: fan-out stopped after {results['fanout_seconds']:,.0f} s with {results['finished']:,} of "
             f"{results['deliveries']:,} deliveries final (the figures below cover those)"]
            if results["finished"] < results["deliveries"] else []
        ),
        f"fan-out: {fanout_rate:,.0f} deliveries/s; bare loop: {bare:,.0f} messages/s; ratio {fanout_rate / bare:.2f} (target >= 0.5)",
        f"queueing to provider acceptance: p50 {results['p50_seconds']:.1f} s, p99 {results['p99_seconds']:.1f} s",
        "peak RSS: " + ", ".join(f"{name} {kib / 1024:.0f} MB" for name, kib in rss.items()),
    ]
    for channel in ("email", "sms", "push"):
        got = received.get(channel, {})
        lines.append(
            f"{channel}: expected {expected.get(channel, 0):,}, fakes received {got.get('total', 0):,} "
            f"for {got.get('distinct', 0):,} distinct people"
        )
    if results["mix"] == "cn":
        lines[0] += "; mix: 80% mainland China"
        for channel in ("sms", "push"):
            providers = {"sms": ("sms_tencent", "sms_aliyun", "sms"), "push": ("push_jpush", "push")}[channel]
            lines.append(f"{channel} by provider: " + ", ".join(
                f"{name} {received.get(name, {}).get('total', 0):,} ({received.get(name, {}).get('distinct', 0):,} people)"
                for name in providers))
    return "\n".join(lines)


def record(text: str, args) -> None:
    path = ROOT / "BENCHMARKS.md"
    header = "" if path.exists() else "# Benchmarks\n\n## Results (newest last)\n"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    extra = f"--fanout-seconds={args.fanout_seconds:g}" if args.fanout_seconds else ""
    mix = " MIX=cn" if args.mix == "cn" else ""
    title = ", CN-heavy mix" if args.mix == "cn" else ""
    entry = (
        f"\n## {args.recipients:,} recipients{title}, {stamp}\n\n"
        f"Command: `make bench N={args.recipients}{mix}{extra and f' BENCH_ARGS={extra}'}` "
        f"(`.venv/bin/python bench/fanout.py --recipients {args.recipients}{mix and ' --mix cn'}{extra and ' ' + extra}`)\n"
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}\n\n"
        f"```\n{text}\n```\n"
    )
    path.write_text((path.read_text() if path.exists() else header) + entry)


def main() -> None:
    args = parse_args()
    results = run(args)
    text = report(results)
    print(text)
    if args.record:
        record(text, args)


if __name__ == "__main__":
    main()
