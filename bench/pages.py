"""Pages at scale: the pages and endpoints a responder or lawyer watches while a large notice is sent.

    make bench-pages                      # measure on the data already generated
    make bench-pages BENCH_ARGS=--generate # (re)generate 1,000,000 people and 3,000,000 deliveries first
    .venv/bin/python bench/pages.py --generate --people 1000000 --database h7

``--generate`` drops and re-creates the database (default ``breachline_pages``), migrates it, creates
one incident, one notice being sent and one approved but not sent yet (through the services), then
writes the people and their deliveries with PostgreSQL ``COPY``: every person sealed and hashed as the
importer does, three deliveries each (e-mail and SMS counting as notice, push as an alert) in a mix of
states, as in the middle of a large send. The keys used are kept in ``var/bench/pages-env.json`` so that later runs
read the same data.

Each page is then requested ``--runs`` times through Django's test client, in this process, as the
legal user, after one warm-up request; the median and 95th percentile of the wall time and the
number of SQL queries are printed. Target: every page under 300 ms.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ENV_FILE = ROOT / "var" / "bench" / "pages-env.json"
JURISDICTIONS = ("US-CA", "DE", "FR", "GB", "US-NY")
# One person in this many is in each non-final or failing state (the rest are delivered or sent).
STATUS_CYCLE = (
    ["delivered"] * 12 + ["sent"] * 4 + ["queued"] * 2 + ["sending", "failed", "bounced", "undelivered"]
)
TARGET_MS = 300


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="breachline_pages")
    parser.add_argument("--generate", action="store_true", help="drop, migrate and fill the database first")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--record", action="store_true", help="append the figures to BENCHMARKS.md")
    parser.add_argument("--label", default="", help="what this run measures, for the recorded table")
    return parser.parse_args()


def bench_env(database: str, *, fresh: bool) -> dict[str, str]:
    """The environment of the run; the keys are kept between runs, so the sealed data stays readable."""
    if fresh or not ENV_FILE.exists():
        keys = {name: secrets.token_urlsafe(32) for name in (
            "SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY", "AUDIT_CHAIN_KEYS")}
        keys["SECRET_KEY"] += secrets.token_urlsafe(16)
        ENV_FILE.parent.mkdir(parents=True, exist_ok=True)
        ENV_FILE.write_text(json.dumps(keys))
    # DEBUG off as in production (DEBUG keeps every statement in memory and serves slower templates).
    return {
        **json.loads(ENV_FILE.read_text()),
        "DEBUG": "0",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "BEHIND_TLS_PROXY": "true",
        "ALLOWED_HOSTS": "testserver",
        "REQUIRE_2FA": "false",
        "BREACHLINE_VAR_DIR": str(ROOT / "var" / "bench"),
        "LOG_LEVEL": "WARNING",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# Generating the data.


def _people_rows(incident_id: int, count: int, created_at: datetime):
    from notifications.models.recipient import new_personal_token, sealed_columns

    for index in range(count):
        token = new_personal_token()
        contact = {
            "name": f"Person {index}", "email": f"person{index}@example.test", "phone": f"+1415{index:07d}",
            "fcm_token": f"fcm-{index}", "postal_address": f"{index} Main Street, Springfield",
        }
        columns = sealed_columns(contact, is_minor=False, personal_token=token)
        yield (
            incident_id, f"P{index:08d}", JURISDICTIONS[index % len(JURISDICTIONS)], "en", "[]", False,
            columns["contact_sealed"], columns["email_hash"], columns["phone_hash"], True, True, True, True,
            token, None, created_at,
        )


def _copy(cursor, table: str, columns: list[str], rows, report_every: int, what: str) -> None:
    started = time.perf_counter()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for number, row in enumerate(rows, 1):
            copy.write_row(row)
            if number % report_every == 0:
                print(f"  {what}: {number:,} ({time.perf_counter() - started:.0f} s)", flush=True)


def _deliveries(notice_id: int, version_id: int, first_person: int, count: int, now: datetime):
    for index in range(count):
        person = first_person + index
        for channel, legal in (("email", True), ("sms", True), ("push", False)):
            status = STATUS_CYCLE[(index + len(channel)) % len(STATUS_CYCLE)]
            final = status not in ("queued", "sending")
            sent = status in ("sent", "delivered", "undelivered")
            letter = legal and status in ("failed", "bounced") and index % 2 == 0
            yield (
                notice_id, version_id, person, channel, "en", legal, status, 1, now, None, None, None, "",
                "" if status not in ("failed", "bounced", "undelivered") else "bench", "", now,
                now if sent else None, now if final else None, None, letter,
                legal and status in ("failed", "bounced") and not letter,
            )


DELIVERY_COLUMNS = [
    "notice_id", "version_id", "recipient_id", "channel", "language", "legal", "status", "attempts",
    "next_attempt_at", "enqueued_at", "claimed_at", "claim_token", "provider_id", "error_code", "error_text",
    "queued_at", "sent_at", "finished_at", "fallback_of_id", "needs_printed_letter", "substitute",
]
PEOPLE_COLUMNS = [
    "incident_id", "external_id", "jurisdiction", "language", "data_categories", "is_minor", "contact_sealed",
    "email_hash", "phone_hash", "has_email", "has_sms", "has_push", "has_letter", "personal_token", "read_at",
    "created_at",
]


def generate(people: int) -> None:
    """Migrate, create the incident and the notice being sent, then COPY the people and deliveries."""
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.scenario import approved_notice, bench_incident
    from incidents.services import incident_record_identified
    from notifications.delivery.sending import notice_channel_plan
    from notifications.models import Notice, NoticeChannelPlan, Recipient

    call_command("migrate", "--noinput", verbosity=0)
    incident = bench_incident()
    notice = approved_notice(incident)
    # A second notice, approved and not sent yet: its sending page shows the channel plan and the checks.
    approved_notice(incident)
    legal = User.objects.create_user(username="bench_reader")
    legal.groups.add(Group.objects.get(name="legal"))
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        _copy(raw, Recipient._meta.db_table, PEOPLE_COLUMNS, _people_rows(incident.pk, people, now), 100_000, "people")
        first = Recipient.objects.filter(incident=incident).order_by("id").values_list("id", flat=True).first()
        if first is None:
            raise SystemExit("No person was written.")
        NoticeChannelPlan.objects.create(notice=notice, used=notice_channel_plan(notice=notice).as_json())
        Notice.objects.filter(pk=notice.pk).update(status="sending")
        _copy(raw, "notifications_delivery", DELIVERY_COLUMNS,
              _deliveries(notice.pk, notice.current_version.pk, first, people, now), 300_000, "deliveries")
    counts = {code: people // len(JURISDICTIONS) + (index < people % len(JURISDICTIONS))
              for index, code in enumerate(JURISDICTIONS)}
    responder = User.objects.get(username="bench_responder")
    incident_record_identified(actor=responder, incident=incident, counts=counts)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"generated {people:,} people and {3 * people:,} deliveries in {time.perf_counter() - started:.0f} s")


# Measuring.


def pages(incident, notice, approved) -> list[tuple[str, str]]:
    from django.urls import reverse

    return [
        ("incident page", reverse("incident-detail", args=[incident.ref])),
        ("sending page, before sending", reverse("notifications:notice-delivery", args=[approved.pk])),
        ("notice sending page", reverse("notifications:notice-delivery", args=[notice.pk])),
        ("progress fragment (htmx)", reverse("notifications:notice-delivery-progress", args=[notice.pk])),
        ("reach (API)", reverse("notifications:api-notice-reach", args=[notice.pk])),
        ("delivery summary (API)", reverse("notifications:api-notice-delivery-summary", args=[notice.pk])),
        ("people page", reverse("notifications:incident-recipients", args=[incident.ref])),
        ("people (API), first 100", reverse("notifications:api-incident-recipients", args=[incident.ref])),
    ]


def measure(runs: int) -> list[dict]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from incidents.models import Incident
    from notifications.models import Notice

    incident = Incident.objects.get(title="Benchmark breach")
    notice = Notice.objects.get(incident=incident, audience="individuals", status="sending")
    approved = Notice.objects.get(incident=incident, audience="individuals", status="approved")
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(User.objects.get(username="bench_reader"))
    results = []
    for name, url in pages(incident, notice, approved):
        timings, cpu, database, queries, status = [], [], [], 0, 0
        for run in range(runs + 1):
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url, secure=True)
                elapsed = (time.perf_counter() - started) * 1000
                elapsed_cpu = (time.process_time() - started_cpu) * 1000
            status, queries = response.status_code, len(captured.captured_queries)
            if run:
                timings.append(elapsed)
                cpu.append(elapsed_cpu)
                database.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
        timings.sort()
        results.append({
            "page": name, "url": url, "status": status, "queries": queries,
            "median_ms": statistics.median(timings), "p95_ms": timings[max(0, int(len(timings) * 0.95) - 1)],
            "cpu_ms": statistics.median(cpu), "db_ms": statistics.median(database),
        })
    return results


def report(results: list[dict], people: int, deliveries: int) -> str:
    lines = [f"{people:,} people, {deliveries:,} deliveries; load average {os.getloadavg()[0]:.1f}",
             f"{'page':<28} {'status':>6} {'median':>9} {'p95':>9} {'queries':>8} {'SQL':>8} {'our CPU':>8}"
             f"  under {TARGET_MS} ms?"]
    for row in results:
        met = "yes" if row["p95_ms"] < TARGET_MS else "NO"
        lines.append(f"{row['page']:<28} {row['status']:>6} {row['median_ms']:>7.0f}ms {row['p95_ms']:>7.0f}ms "
                     f"{row['queries']:>8} {row['db_ms']:>6.0f}ms {row['cpu_ms']:>6.0f}ms  {met}")
    return "\n".join(lines)


def record(results: list[dict], people: int, deliveries: int, label: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    out = io.StringIO()
    out.write(f"\n### {stamp} UTC: {label or 'pages'} ({people:,} people, {deliveries:,} deliveries, "
              f"load average {os.getloadavg()[0]:.1f})\n\n| page | median | p95 | queries | SQL (median) | our CPU (median) |\n"
              "|---|---|---|---|---|---|\n")
    for row in results:
        out.write(f"| {row['page']} | {row['median_ms']:.0f} ms | {row['p95_ms']:.0f} ms | {row['queries']} | "
                  f"{row['db_ms']:.0f} ms | {row['cpu_ms']:.0f} ms |\n")
    with open(ROOT / "BENCHMARKS.md", "a", encoding="utf-8") as handle:
        handle.write(out.getvalue())


def main() -> None:
    args = parse_args()
    if args.generate:
        recreate_database(args.database)
    setup_django(bench_env(args.database, fresh=args.generate))
    if args.generate:
        generate(args.people)
    from notifications.models import Delivery, Recipient

    people, deliveries = Recipient.objects.count(), Delivery.objects.count()
    results = measure(args.runs)
    print(report(results, people, deliveries))
    if args.record:
        record(results, people, deliveries, args.label)


if __name__ == "__main__":
    main()
