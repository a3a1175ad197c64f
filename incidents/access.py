"""Who may come in, and what they do in the admin: expiring API tokens, lockout after failed logins,
and the audit of every attempt and of every admin addition, change and deletion.

Tokens are django-rest-knox tokens: stored hashed, valid for ``API_TOKEN_TTL_HOURS``, revocable one at a
time, and all revoked when the user's password changes. Failed logins on the login page and on the token
endpoint count towards one django-axes lockout (per user name and address). Logins, failed logins,
token creations and revocations are audit events on the organisation's chain.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from knox.models import AuthToken

from incidents.actors import Actor
from incidents.audit import AuditAction, audit_record
from incidents.two_factor import needs_second_factor, second_factor_ok


def _client(request: HttpRequest | None) -> dict[str, str]:
    if request is None:
        return {}
    return {"ip": request.META.get("REMOTE_ADDR", ""), "path": request.path}


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed logins: this account is locked for %(minutes)d minutes from this address. "
        "Ask an administrator to unlock it sooner (manage.py axes_reset_username USERNAME)."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: HttpResponse | None, credentials: Any) -> HttpResponse:
    """The answer to a locked-out login: JSON under /api/, the login page with the reason elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message(), "code": "locked_out"}, status=429)
    return render(request, "registration/locked_out.html", {"message": lockout_message()}, status=429)


def api_token_create(
    *, request: HttpRequest, username: str, password: str, otp: str = ""
) -> tuple[str, AuthToken] | None:
    """Check the credentials and return a new token's key and row, or None when they are wrong.

    A locked-out request also returns None; ``request.axes_locked_out`` then tells the caller why.
    Raises ValidationError naming ``otp`` when the user signs off (legal, admin) and REQUIRE_2FA is on
    but no valid code from their authenticator app came with the request.
    """
    user = authenticate(request=request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    if needs_second_factor(user) and not second_factor_ok(user=user, otp=otp):
        raise ValidationError({"otp": [_("A valid code from your authenticator app is required.")]})
    with transaction.atomic():
        instance, key = AuthToken.objects.create(user=user)
        audit_record(
            actor=user, action=AuditAction.AUTH_TOKEN_CREATED,
            payload=_client(request) | {"token": instance.token_key, "expiry": instance.expiry},
        )
    return key, instance


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: AuthToken) -> None:
    """Revoke one token (the caller's own)."""
    audit_record(actor=actor, action=AuditAction.AUTH_TOKEN_REVOKED, payload={"token": token.token_key})
    token.delete()


def _audit_login(sender, request: HttpRequest | None = None, user=None, **kwargs) -> None:
    via = "token" if request is not None and request.path.startswith("/api/") else "session"
    audit_record(actor=user, action=AuditAction.AUTH_LOGIN, payload=_client(request) | {"via": via})


def _audit_login_failed(sender, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs) -> None:
    locked = bool(getattr(request, "axes_locked_out", False))
    audit_record(
        actor=None, action=AuditAction.AUTH_LOGIN_FAILED,
        payload=_client(request) | {"username": str(credentials.get("username", ""))[:150], "locked_out": locked},
    )


def _revoke_tokens_on_password_change(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is None or stored == instance.password:
        return
    revoked, _ = AuthToken.objects.filter(user_id=instance.pk).delete()
    audit_record(actor=instance, action=AuditAction.AUTH_PASSWORD_CHANGED, payload={"tokens_revoked": revoked})


ADMIN_ACTIONS = {ADDITION: AuditAction.ADMIN_ADDED, CHANGE: AuditAction.ADMIN_CHANGED, DELETION: AuditAction.ADMIN_DELETED}


def _model_label(entry: LogEntry) -> str:
    model = ContentType.objects.get_for_id(entry.content_type_id).model_class() if entry.content_type_id else None
    return model._meta.label if model else ""


def _audit_admin_action(sender, instance: LogEntry, created: bool = False, raw: bool = False, **kwargs) -> None:
    """Every addition, change and deletion made in the Django admin also goes on the audit chain."""
    if not created or raw:
        return
    audit_record(
        actor=instance.user, action=ADMIN_ACTIONS.get(instance.action_flag, AuditAction.ADMIN_ACTION),
        payload={"model": _model_label(instance),
                 "object_id": instance.object_id or "", "object": instance.object_repr[:200],
                 "change": instance.get_change_message()[:500]},
    )


def connect_receivers() -> None:
    """Wire the login and admin audit and the token rotation (called once from the app's ready())."""
    post_save.connect(_audit_admin_action, sender=LogEntry, dispatch_uid="breachline.audit_admin")
    user_logged_in.connect(_audit_login, dispatch_uid="breachline.audit_login")
    user_login_failed.connect(_audit_login_failed, dispatch_uid="breachline.audit_login_failed")
    pre_save.connect(_revoke_tokens_on_password_change, sender=get_user_model(), dispatch_uid="breachline.rotate")
