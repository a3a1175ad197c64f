"""Counts kept by the database (notifications/models/tally.py): the tables, their triggers, and the
counts of the rows already there; ``handed_on`` marks failed deliveries a fallback took over from."""

import django.db.models.deletion
from django.db import migrations, models

LIVE = "('queued', 'sending', 'sent', 'delivered')"
# Namespace of the per-notice advisory lock the reach trigger takes: (namespace << 32) | notice id.
REACH_LOCK = 0x52454143
PEOPLE_COLUMNS = "jurisdiction, has_email, has_sms, has_push, has_letter"
DELIVERY_COLUMNS = "notice_id, recipient_id, channel, status, legal, needs_printed_letter, substitute, handed_on"
SIDES = {"insert": (("new_rows", 1),), "update": (("new_rows", 1), ("old_rows", -1)), "delete": (("old_rows", -1),)}
REFERENCING = {
    "insert": "REFERENCING NEW TABLE AS new_rows", "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}


def _changes(op: str, columns: str) -> str:
    return " UNION ALL ".join(f"SELECT {columns}, {sign} AS sign FROM {table}" for table, sign in SIDES[op])


def _person_delta(op: str) -> str:
    """Per (notice, person) of the statement: how much each counted kind of delivery changed."""
    kinds = {
        "live": f"(status IN {LIVE})", "legally": f"(status IN {LIVE} AND legal)",
        "letters": "needs_printed_letter", "substitute": "substitute",
    }
    sums = {name: f"SUM(sign * {expression}::int)" for name, expression in kinds.items()}
    return (
        f"SELECT notice_id, recipient_id, {', '.join(f'{total} AS {name}' for name, total in sums.items())} "
        f"FROM ({_changes(op, DELIVERY_COLUMNS)}) c GROUP BY notice_id, recipient_id "
        f"HAVING {' OR '.join(f'{total} <> 0' for total in sums.values())}"
    )


def _pg_delivery_function(op: str) -> str:
    after = {
        "live": f"x.status IN {LIVE}", "legally": f"x.status IN {LIVE} AND x.legal",
        "letters": "x.needs_printed_letter", "substitute": "x.substitute",
    }
    # A person counts once they have one such delivery: the change is (after > 0) - (before > 0).
    per_person = ", ".join(
        f"(COUNT(x.id) FILTER (WHERE {condition}) > 0)::int "
        f"- (COUNT(x.id) FILTER (WHERE {condition}) - d.{name} > 0)::int AS {name}"
        for name, condition in after.items()
    )
    return f"""
CREATE OR REPLACE FUNCTION notifications_delivery_tally_{op}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifications_deliverytally (notice_id, channel, status, legal, offline, handed_on, n)
    SELECT notice_id, channel, status, legal, needs_printed_letter OR substitute, handed_on, SUM(sign)
    FROM ({_changes(op, DELIVERY_COLUMNS)}) c GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(sign) <> 0;
    -- Whether a person is reached depends on their other deliveries, which another transaction
    -- may be changing: count one transaction at a time per notice (the lock is held to commit).
    PERFORM pg_advisory_xact_lock(({REACH_LOCK}::bigint << 32) | notice_id)
    FROM (SELECT DISTINCT notice_id FROM ({_person_delta(op)}) d ORDER BY notice_id) locked;
    INSERT INTO notifications_reachtally (notice_id, jurisdiction, reached, legally, letters, substitute)
    SELECT p.notice_id, r.jurisdiction, SUM(p.live), SUM(p.legally), SUM(p.letters), SUM(p.substitute)
    FROM (
        SELECT d.notice_id, d.recipient_id, {per_person}
        FROM ({_person_delta(op)}) d
        LEFT JOIN notifications_delivery x ON x.recipient_id = d.recipient_id AND x.notice_id = d.notice_id
        GROUP BY d.notice_id, d.recipient_id, d.live, d.legally, d.letters, d.substitute
    ) p JOIN notifications_recipient r ON r.id = p.recipient_id
    GROUP BY p.notice_id, r.jurisdiction
    HAVING SUM(p.live) <> 0 OR SUM(p.legally) <> 0 OR SUM(p.letters) <> 0 OR SUM(p.substitute) <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_delivery_tally_{op} AFTER {op.upper()} ON notifications_delivery
    {REFERENCING[op]} FOR EACH STATEMENT EXECUTE FUNCTION notifications_delivery_tally_{op}();
"""


def _pg_recipient_function(op: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION notifications_recipient_tally_{op}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifications_peopletally (incident_id, {PEOPLE_COLUMNS}, n)
    SELECT incident_id, {PEOPLE_COLUMNS}, SUM(sign) FROM ({_changes(op, "incident_id, " + PEOPLE_COLUMNS)}) c
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(sign) <> 0;
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_recipient_tally_{op} AFTER {op.upper()} ON notifications_recipient
    {REFERENCING[op]} FOR EACH STATEMENT EXECUTE FUNCTION notifications_recipient_tally_{op}();
"""


def _sqlite_delivery_rows(row: str, sign: int) -> str:
    return (
        "INSERT INTO notifications_deliverytally (notice_id, channel, status, legal, offline, handed_on, n) "
        f"VALUES ({row}.notice_id, {row}.channel, {row}.status, {row}.legal, "
        f"{row}.needs_printed_letter OR {row}.substitute, {row}.handed_on, {sign});"
    )


def _sqlite_reach(op: str) -> str:
    """SQLite runs triggers per row and one writer at a time: before = after - this row's change."""
    row = "OLD" if op == "delete" else "NEW"
    kinds = {
        "live": "{p}status IN " + LIVE, "legally": "{p}status IN " + LIVE + " AND {p}legal",
        "letters": "{p}needs_printed_letter", "substitute": "{p}substitute",
    }

    def change(name: str) -> str:
        new = kinds[name].format(p="NEW.") if op != "delete" else "0"
        old = kinds[name].format(p="OLD.") if op != "insert" else "0"
        return f"(({new}) - ({old}))"

    totals = ", ".join(f"COALESCE(SUM({kind.format(p='')}), 0) AS {name}" for name, kind in kinds.items())
    counts = ", ".join(f"(a.{name} > 0) - (a.{name} - {change(name)} > 0)" for name in kinds)
    return (
        "INSERT INTO notifications_reachtally (notice_id, jurisdiction, reached, legally, letters, substitute) "
        f"SELECT {row}.notice_id, r.jurisdiction, {counts} FROM notifications_recipient r, "
        f"(SELECT {totals} FROM notifications_delivery WHERE notice_id = {row}.notice_id "
        f"AND recipient_id = {row}.recipient_id) a WHERE r.id = {row}.recipient_id "
        f"AND ({' OR '.join(f'{change(name)} <> 0' for name in kinds)});"
    )


def _sqlite_people_row(row: str, sign: int) -> str:
    values = ", ".join(f"{row}.{column.strip()}" for column in PEOPLE_COLUMNS.split(","))
    return (f"INSERT INTO notifications_peopletally (incident_id, {PEOPLE_COLUMNS}, n) "
            f"VALUES ({row}.incident_id, {values}, {sign});")


def _sqlite_triggers() -> list[str]:
    changed = " OR ".join(
        f"NEW.{column} IS NOT OLD.{column}"
        for column in ("status", "channel", "legal", "needs_printed_letter", "substitute", "handed_on")
    )
    return [
        "CREATE TRIGGER notifications_delivery_tally_insert AFTER INSERT ON notifications_delivery BEGIN "
        f"{_sqlite_delivery_rows('NEW', 1)} {_sqlite_reach('insert')} END",
        f"CREATE TRIGGER notifications_delivery_tally_update AFTER UPDATE ON notifications_delivery WHEN {changed} "
        f"BEGIN {_sqlite_delivery_rows('NEW', 1)} {_sqlite_delivery_rows('OLD', -1)} {_sqlite_reach('update')} END",
        "CREATE TRIGGER notifications_delivery_tally_delete AFTER DELETE ON notifications_delivery BEGIN "
        f"{_sqlite_delivery_rows('OLD', -1)} {_sqlite_reach('delete')} END",
        "CREATE TRIGGER notifications_recipient_tally_insert AFTER INSERT ON notifications_recipient BEGIN "
        f"{_sqlite_people_row('NEW', 1)} END",
        f"CREATE TRIGGER notifications_recipient_tally_update AFTER UPDATE OF incident_id, {PEOPLE_COLUMNS} "
        f"ON notifications_recipient BEGIN {_sqlite_people_row('NEW', 1)} {_sqlite_people_row('OLD', -1)} END",
        "CREATE TRIGGER notifications_recipient_tally_delete AFTER DELETE ON notifications_recipient BEGIN "
        f"{_sqlite_people_row('OLD', -1)} END",
    ]


def _case(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


BACKFILL = [
    "UPDATE notifications_delivery SET handed_on = TRUE WHERE id IN "
    "(SELECT fallback_of_id FROM notifications_delivery WHERE fallback_of_id IS NOT NULL)",
    "INSERT INTO notifications_deliverytally (notice_id, channel, status, legal, offline, handed_on, n) "
    "SELECT notice_id, channel, status, legal, needs_printed_letter OR substitute, handed_on, COUNT(*) "
    "FROM notifications_delivery GROUP BY notice_id, channel, status, legal, needs_printed_letter OR substitute, handed_on",
    "INSERT INTO notifications_reachtally (notice_id, jurisdiction, reached, legally, letters, substitute) "
    f"SELECT p.notice_id, r.jurisdiction, {_case('p.live > 0')}, {_case('p.legally > 0')}, {_case('p.letters > 0')}, "
    f"{_case('p.substitute > 0')} FROM (SELECT notice_id, recipient_id, {_case(f'status IN {LIVE}')} AS live, "
    f"{_case(f'status IN {LIVE} AND legal')} AS legally, {_case('needs_printed_letter')} AS letters, "
    f"{_case('substitute')} AS substitute FROM notifications_delivery GROUP BY notice_id, recipient_id) p "
    "JOIN notifications_recipient r ON r.id = p.recipient_id GROUP BY p.notice_id, r.jurisdiction",
    f"INSERT INTO notifications_peopletally (incident_id, {PEOPLE_COLUMNS}, n) "
    f"SELECT incident_id, {PEOPLE_COLUMNS}, COUNT(*) FROM notifications_recipient GROUP BY incident_id, {PEOPLE_COLUMNS}",
]


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    statements = list(BACKFILL)
    if connection.vendor == "postgresql":
        statements += [_pg_delivery_function(op) for op in SIDES] + [_pg_recipient_function(op) for op in SIDES]
    elif connection.vendor == "sqlite":
        statements += _sqlite_triggers()
    else:
        raise NotImplementedError(f"The delivery counts need triggers written for {connection.vendor}.")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, kind in (("notifications_delivery", "delivery"), ("notifications_recipient", "recipient")):
            for op in SIDES:
                cursor.execute(f"DROP TRIGGER IF EXISTS notifications_{kind}_tally_{op}"
                               + (f" ON {table}" if connection.vendor == "postgresql" else ""))
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP FUNCTION IF EXISTS notifications_{kind}_tally_{op}()")


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0015_drill_deleted_at'),
        ('notifications', '0006_announcement_withdrawn'),
    ]

    operations = [
        migrations.AddField(
            model_name='delivery',
            name='handed_on',
            field=models.BooleanField(db_default=False, default=False, help_text='Failed, and a fallback channel took over from it.'),
        ),
        migrations.CreateModel(
            name='DeliveryTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(max_length=10)),
                ('status', models.CharField(max_length=20)),
                ('legal', models.BooleanField()),
                ('offline', models.BooleanField()),
                ('handed_on', models.BooleanField()),
                ('n', models.BigIntegerField()),
                ('notice', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='notifications.notice')),
            ],
        ),
        migrations.CreateModel(
            name='PeopleTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('jurisdiction', models.CharField(max_length=10)),
                ('has_email', models.BooleanField()),
                ('has_sms', models.BooleanField()),
                ('has_push', models.BooleanField()),
                ('has_letter', models.BooleanField()),
                ('n', models.BigIntegerField()),
                ('incident', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='incidents.incident')),
            ],
        ),
        migrations.CreateModel(
            name='ReachTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('jurisdiction', models.CharField(max_length=10)),
                ('reached', models.BigIntegerField()),
                ('legally', models.BigIntegerField()),
                ('letters', models.BigIntegerField()),
                ('substitute', models.BigIntegerField()),
                ('notice', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='notifications.notice')),
            ],
        ),
        migrations.AddIndex(
            model_name='recipient',
            index=models.Index(fields=['incident', 'id'], name='recipient_keyset'),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
