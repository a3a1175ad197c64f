"""Index types the models need beyond Django's B-tree."""

from __future__ import annotations

from django.db import models


class EqualityIndex(models.Index):
    """An index for ``=`` lookups only: a hash index on PostgreSQL, a B-tree elsewhere.

    A hash index on a keyed hash costs a fraction of a B-tree to insert into (no
    ordering of random values to keep), which matters when an import writes a
    million people; nothing ever sorts or ranges over these columns.
    PostgreSQL hash indexes take one column.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            using = " USING hash"
        return super().create_sql(model, schema_editor, using=using, **kwargs)
