"""Two-factor login (TOTP, django-otp) for the people who sign off: the legal and admin groups.

With ``REQUIRE_2FA`` on (the default with DEBUG off) a legal or admin user who has logged in with a
password reaches nothing but this module's pages until a code from an authenticator app is checked:
the first time they enrol a device (its secret shown as a QR code and as text), afterwards they type
the current code. The token endpoint asks the same users for the code in an ``otp`` field. Enrolment,
codes accepted and codes refused are audit events on the organisation's chain.
"""

from __future__ import annotations

from collections.abc import Callable

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents.audit import AuditAction, audit_record

SIGN_OFF_GROUPS = ("legal", "admin")
ENROL_DEVICE_NAME = "authenticator app"


def needs_second_factor(user) -> bool:
    """True for a legal or admin user (or a superuser) while REQUIRE_2FA is on."""
    if not settings.REQUIRE_2FA or not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=SIGN_OFF_GROUPS).exists()


def second_factor_ok(*, user, otp: str) -> bool:
    """Check a code for a user who needs one (token endpoint); audit the outcome."""
    device = match_token(user, otp.strip()) if otp else None
    audit_record(actor=user, action=AuditAction.AUTH_2FA_VERIFIED if device else AuditAction.AUTH_2FA_FAILED, payload={"via": "token"})
    return device is not None


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"), min_length=6, max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("incident-list")


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Enrol a device the first time, check a code every time; then go on to where the user was going."""
    user = request.user
    enrolled = user_has_device(user, confirmed=True)
    device = None
    if not enrolled:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name=ENROL_DEVICE_NAME, confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].strip()
        matched = match_token(user, code) if enrolled else (device if device is not None and device.verify_token(code) else None)
        if matched is not None:
            if not enrolled:
                matched.confirmed = True
                matched.save(update_fields=["confirmed"])
                audit_record(actor=user, action=AuditAction.AUTH_2FA_ENROLLED, payload={"device": matched.name})
            otp_login(request, matched)
            audit_record(actor=user, action=AuditAction.AUTH_2FA_VERIFIED, payload={"via": "session"})
            return redirect(_next_url(request))
        audit_record(actor=user, action=AuditAction.AUTH_2FA_FAILED, payload={"via": "session"})
        form.add_error("code", _("That code is not valid. Check the time on your phone and type the newest code."))
    context = {"form": form, "enrolled": enrolled, "next": _next_url(request)}
    if device is not None:
        context |= {"qr": mark_safe(_qr_svg(device.config_url)), "secret": device.config_url}  # noqa: S308 - our own SVG
    return render(request, "registration/second_factor.html", context)


class SecondFactorMiddleware:
    """Keeps a legal or admin user who has not checked a code on the second-factor page."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/preferences/language/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not request.path.startswith("/api/auth/token/")
            and needs_second_factor(user)
            and not user.is_verified()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Two-factor verification is required: log in again with your code."),
                     "code": "second_factor_required"}, status=403)
            return redirect(f"{reverse('second-factor')}?next={request.get_full_path()}")
        return self.get_response(request)
