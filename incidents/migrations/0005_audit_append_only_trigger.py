"""On PostgreSQL the database itself refuses UPDATE and DELETE on audit events.

The application already refuses them; the trigger stops anyone with plain SQL access too. A
superuser can still disable triggers (``session_replication_role = replica``) or drop this one;
the keyed chain and its signed heads are what catch such a change (README, "Audit trail").
TRUNCATE, which only the test runner's flush uses, is not a row-level event and is not refused.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION breachline_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: %% on %% refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incidents_auditevent_append_only
    BEFORE UPDATE OR DELETE ON incidents_auditevent
    FOR EACH ROW EXECUTE FUNCTION breachline_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS incidents_auditevent_append_only ON incidents_auditevent;
DROP FUNCTION IF EXISTS breachline_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0004_audit_sign_existing_chains")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
