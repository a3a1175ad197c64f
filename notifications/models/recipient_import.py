"""An upload of affected people, imported by a worker: its file (sealed until the import ends), its
progress counts once committed, and the rejects report (sealed)."""

from __future__ import annotations

import secrets
import zlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from notifications.models import crypto

__all__ = ["RecipientImport", "RecipientImportStatus"]


class RecipientImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a worker")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def _new_seal_token() -> str:
    return secrets.token_hex(16)


class RecipientImport(ConcurrentTransitionMixin, models.Model):
    """One uploaded file of affected people and what became of it.

    The file and the rejects report hold personal data and external ids: both are compressed and
    sealed (AES-GCM, ``notifications.models.crypto``) under a context naming this row and what the
    value is, so neither opens as the other or in another row. The file is erased when the import
    ends, done or failed. Counts are written here once the import has committed; while it runs,
    its progress is in the shared cache (``notifications.recipients.jobs``).
    """

    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="recipient_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
    )
    file_name = models.CharField(max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    rows_expected = models.PositiveIntegerField(default=0, help_text="Lines after a CSV header: exact unless a value spans lines.")
    status = FSMField(default=RecipientImportStatus.PENDING, choices=RecipientImportStatus.choices, protected=True)
    rows_read = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)
    seal_token = models.CharField(max_length=32, default=_new_seal_token, editable=False)
    upload_sealed = models.TextField(blank=True, help_text="The uploaded file, compressed and sealed; erased at the end.")
    rejects_sealed = models.TextField(blank=True, help_text="The rejects report (CSV), compressed and sealed.")
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(
        default=timezone.now, help_text="When it was last put on the broker: still waiting long after, it is queued again.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["incident", "-id"], name="recipient_import_incident")]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.file_name} ({self.status})"

    def _context(self, part: str) -> bytes:
        return f"recipient-import:{self.seal_token}:{part}".encode()

    def _seal(self, part: str, data: bytes) -> str:
        return crypto.seal(zlib.compress(data), context=self._context(part))

    def _unseal(self, part: str, sealed: str) -> bytes:
        return zlib.decompress(crypto.unseal(sealed, context=self._context(part))) if sealed else b""

    def keep_upload(self, data: bytes) -> None:
        self.upload_sealed = self._seal("upload", data)

    def upload(self) -> bytes:
        """The uploaded file; empty once the import has ended."""
        return self._unseal("upload", self.upload_sealed)

    def rejects_csv(self) -> str:
        return self._unseal("rejects", self.rejects_sealed).decode("utf-8")

    @property
    def finished(self) -> bool:
        return self.status in (RecipientImportStatus.DONE, RecipientImportStatus.FAILED)

    @transition(field=status, source=RecipientImportStatus.PENDING, target=RecipientImportStatus.RUNNING)
    def start(self) -> None:
        self.started_at = timezone.now()

    @transition(field=status, source=RecipientImportStatus.RUNNING, target=RecipientImportStatus.DONE)
    def finish(self, *, summary: dict[str, Any], rows_read: int, rejects_csv: str) -> None:
        self.summary = summary
        self.rows_read = rows_read
        self.imported = summary["imported"]
        self.rejected = summary["rejected"]
        self.rejects_sealed = self._seal("rejects", rejects_csv.encode("utf-8"))
        self.upload_sealed = ""
        self.finished_at = timezone.now()

    @transition(
        field=status, source=[RecipientImportStatus.PENDING, RecipientImportStatus.RUNNING],
        target=RecipientImportStatus.FAILED,
    )
    def fail(self, *, error: str) -> None:
        self.error = error
        self.upload_sealed = ""
        self.finished_at = timezone.now()
