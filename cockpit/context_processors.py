"""The header's count of unread deadline alerts."""

from __future__ import annotations

from cockpit.models import InAppAlert


def unread_alerts(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_alerts": InAppAlert.objects.filter(user=user, read_at=None).count()}
