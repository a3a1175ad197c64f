"""Periodic work for incidents; tasks take no content, re-read the rows and call one service."""

from celery import shared_task
from django.utils import timezone

from incidents.audit import audit_anchor_heads
from incidents.obligations import obligations_mark_overdue


@shared_task(name="incidents.mark_overdue_obligations", time_limit=60, soft_time_limit=50)
def mark_overdue_obligations() -> int:
    return obligations_mark_overdue(now=timezone.now())


@shared_task(name="incidents.anchor_audit_heads", time_limit=60, soft_time_limit=50)
def anchor_audit_heads() -> int:
    return audit_anchor_heads(now=timezone.now())
