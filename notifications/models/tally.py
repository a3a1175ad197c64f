"""Counts that do not grow with the people: kept by the database itself, in the same transaction.

Pages that follow a large notice (its progress bars, the delivery summary, the reach per
jurisdiction, the people page) must not count millions of rows on every request. Triggers on
the delivery and recipient tables (migration 0007) append a signed row here for every change
of what is counted, in the statement that makes the change, so a count is always the sum of
its rows and can never drift from the table, whichever code path (or raw SQL) changed it.

Appending, never updating one counter row, means concurrent workers never wait on each other
or deadlock on a hot row. ``tally_compact()`` folds a notice's rows into one per key (the sweep does
it every run), so a sum reads a few hundred rows at most.

On PostgreSQL the triggers run once per statement over its transition tables; on SQLite once
per row. Who counts as reached depends on a person's other deliveries, so the reach trigger
takes a transaction-level advisory lock on the notice before it counts: two workers failing
the same person's last two live deliveries at once are counted one after the other.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import connection, models, transaction

__all__ = ["DeliveryTally", "PeopleTally", "ReachTally", "tally_compact"]


class Tally(models.Model):
    """Signed rows whose sums per key are the counts: ``KEY_FIELDS`` (the owner first), ``COUNT_FIELDS``."""

    KEY_FIELDS: ClassVar[tuple[str, ...]]
    COUNT_FIELDS: ClassVar[tuple[str, ...]]

    class Meta:
        abstract = True

    @classmethod
    def columns(cls, names: tuple[str, ...]) -> list[str]:
        """The database columns of the fields ``names``."""
        columns = []
        for name in names:
            field = cls._meta.get_field(name)
            if not isinstance(field, models.Field):
                raise TypeError(f"{cls.__name__}.{name} is not a column.")
            columns.append(field.column)
        return columns


def tally_compact(model: type[Tally], owners: list[int]) -> None:
    """Fold the rows of ``model`` that belong to ``owners`` (notices, or incidents for people) into one
    row per key.

    On PostgreSQL one statement deletes the rows it sees and inserts their sums, so a row another
    transaction commits meanwhile is neither summed nor deleted: it stays. SQLite serialises writers,
    so the same steps inside one transaction are just as safe.
    """
    if not owners:
        return
    keys, counts = model.columns(model.KEY_FIELDS), model.columns(model.COUNT_FIELDS)
    table, owner = model._meta.db_table, keys[0]
    where = f"{owner} IN ({', '.join(['%s'] * len(owners))})"
    sums = ", ".join(f"SUM({column})" for column in counts)
    group = f" GROUP BY {', '.join(keys)} HAVING {' OR '.join(f'SUM({column}) <> 0' for column in counts)}"
    columns = ", ".join(keys + counts)
    # Table and column names come from model metadata; the owners are parameters.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH gone AS (DELETE FROM {table} WHERE {where} RETURNING *) "  # noqa: S608
                f"INSERT INTO {table} ({columns}) SELECT {', '.join(keys)}, {sums} FROM gone{group}", owners)
            return
        cursor.execute(f"SELECT {', '.join(keys)}, {sums} FROM {table} WHERE {where}{group}", owners)  # noqa: S608
        folded = cursor.fetchall()
        cursor.execute(f"DELETE FROM {table} WHERE {where}", owners)  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * (len(keys) + len(counts)))})",  # noqa: S608
            folded)


class DeliveryTally(Tally):
    """Deliveries of a notice per channel, status, whether they count as notice (``legal``), whether
    the person was flagged for a letter or substitute notice on them (``offline``) and whether a
    fallback channel took over from them (``handed_on``): ``n`` is a signed change."""

    KEY_FIELDS = ("notice", "channel", "status", "legal", "offline", "handed_on")
    COUNT_FIELDS = ("n",)

    notice = models.ForeignKey("notifications.Notice", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    channel = models.CharField(max_length=10)
    status = models.CharField(max_length=20)
    legal = models.BooleanField()
    offline = models.BooleanField()
    handed_on = models.BooleanField()
    n = models.BigIntegerField()

    def __str__(self) -> str:
        return f"notice {self.notice_id} {self.channel} {self.status}: {self.n:+d}"


class ReachTally(Tally):
    """People of a notice per residence: with a live delivery (``reached``), with a live delivery that
    counts as notice (``legally``), flagged for a printed letter, flagged for substitute notice."""

    KEY_FIELDS = ("notice", "jurisdiction")
    COUNT_FIELDS = ("reached", "legally", "letters", "substitute")

    notice = models.ForeignKey("notifications.Notice", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    jurisdiction = models.CharField(max_length=10)
    reached = models.BigIntegerField()
    legally = models.BigIntegerField()
    letters = models.BigIntegerField()
    substitute = models.BigIntegerField()

    def __str__(self) -> str:
        return f"notice {self.notice_id} {self.jurisdiction}: {self.reached:+d} reached"


class PeopleTally(Tally):
    """Affected people of an incident per residence and the channels that reach them."""

    KEY_FIELDS = ("incident", "jurisdiction", "has_email", "has_sms", "has_push", "has_letter")
    COUNT_FIELDS = ("n",)

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    jurisdiction = models.CharField(max_length=10)
    has_email = models.BooleanField()
    has_sms = models.BooleanField()
    has_push = models.BooleanField()
    has_letter = models.BooleanField()
    n = models.BigIntegerField()

    def __str__(self) -> str:
        return f"incident {self.incident_id} {self.jurisdiction}: {self.n:+d}"
