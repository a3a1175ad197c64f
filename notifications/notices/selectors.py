"""Reads of notices that check the reader's permission."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from notifications.models import Notice

VIEW_PERMISSION = "notifications.view_notice"


def notices_require_view(*, user) -> None:
    if not user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied(f"You need the permission {VIEW_PERMISSION!r} to see notices.")


def notice_get(*, user, pk: int) -> Notice:
    notices_require_view(user=user)
    return get_object_or_404(Notice.objects.select_related("incident"), pk=pk)
