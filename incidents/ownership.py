"""The incident's owner (who drives the response and receives its reminders), and deleting a drill."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from incidents import selectors, services


def possible_owners():
    """Active users who may see incidents (directly, through a group, or as superusers)."""
    permission = Q(user_permissions__codename="view_incident") | Q(groups__permissions__codename="view_incident")
    return get_user_model().objects.filter(Q(is_superuser=True) | permission, is_active=True).distinct().order_by(
        "username")


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=possible_owners(), empty_label=None)


@login_required
@require_POST
def drill_delete(request, ref: str):
    """An admin deletes a drill once the exercise is over."""
    incident = selectors.incident_get(user=request.user, ref=ref)
    try:
        services.drill_delete(actor=request.user, incident=incident)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        return redirect("incident-detail", ref=ref)
    messages.success(request, _("Drill %(ref)s deleted; the audit trail records it.") % {"ref": incident.ref})
    return redirect("dashboard")


@login_required
def incident_owner(request, ref: str):
    """Show who owns the incident and let someone who may edit it hand it to another person."""
    incident = selectors.incident_get(user=request.user, ref=ref)
    form = OwnerForm(request.POST or None, initial={"owner": incident.owner_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_owner_set(actor=request.user, incident=incident, owner=form.cleaned_data["owner"])
        except ValidationError as exc:
            form.add_error("owner", exc.messages)
        except PermissionDenied:
            form.add_error(None, _("You may not change who owns this incident."))
        else:
            messages.success(request, _("%(user)s now owns %(ref)s.") % {
                "user": form.cleaned_data["owner"].username, "ref": incident.ref})
            return redirect("incident-detail", ref=ref)
    return render(request, "incidents/incident_owner.html", {"incident": incident, "form": form})
