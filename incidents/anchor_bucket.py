"""The audit anchors' S3-compatible sink: each anchoring run writes one new object, never overwrites one.

Configured by ``AUDIT_ANCHOR_S3_BUCKET`` (with ``AUDIT_ANCHOR_S3_PREFIX``, ``AUDIT_ANCHOR_S3_ENDPOINT_URL``,
``AUDIT_ANCHOR_S3_REGION``, ``AUDIT_ANCHOR_S3_ACCESS_KEY_ID``, ``AUDIT_ANCHOR_S3_SECRET_ACCESS_KEY``) and
written through django-storages. The bucket should refuse deletions and overwrites (S3 Object Lock in
compliance mode, or a write-only key): then not even a database superuser can take an anchor back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

from django.conf import settings
from django.core.files.base import ContentFile
from storages.backends.s3 import S3Storage


def anchor_bucket_configured() -> bool:
    return bool(settings.AUDIT_ANCHOR_S3_BUCKET)


def _bucket() -> S3Storage:
    return S3Storage(
        bucket_name=settings.AUDIT_ANCHOR_S3_BUCKET, location=settings.AUDIT_ANCHOR_S3_PREFIX.strip("/"),
        endpoint_url=settings.AUDIT_ANCHOR_S3_ENDPOINT_URL or None, region_name=settings.AUDIT_ANCHOR_S3_REGION or None,
        access_key=settings.AUDIT_ANCHOR_S3_ACCESS_KEY_ID or None,
        secret_key=settings.AUDIT_ANCHOR_S3_SECRET_ACCESS_KEY or None,
        file_overwrite=False, default_acl=None, querystring_auth=False,
    )


def anchor_bucket_write(*, lines: list[str], now: datetime) -> str:
    """Write one anchoring run's lines as a new object; return its name (time first, so names sort by time)."""
    name = f"{now.astimezone(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}.jsonl"
    return _bucket().save(name, ContentFile("".join(f"{line}\n" for line in lines).encode()))


def anchor_bucket_lines() -> Iterator[str]:
    """Every anchor line in the bucket, oldest object first."""
    bucket = _bucket()
    _folders, names = bucket.listdir("")
    for name in sorted(names):
        with bucket.open(name) as anchor:
            yield from anchor.read().decode("utf-8").splitlines()
