"""The incident's emergency-plan checklist page: thin over incidents.checklist."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from incidents import checklist, selectors
from incidents.ownership import possible_owners


class WaiverForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it does not apply"), max_length=500)


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=possible_owners(), empty_label=None)


@login_required
def incident_checklist(request, ref: str):
    incident = selectors.incident_get(user=request.user, ref=ref)
    items = incident.checklist_items.select_related("owner", "done_by").order_by("position", "pk")
    rows = [(item, AssignForm(prefix=f"assign-{item.pk}", initial={"owner": item.owner_id}),
             WaiverForm(prefix=f"waive-{item.pk}")) for item in items]
    return render(request, "incidents/checklist.html", {"incident": incident, "rows": rows})


@login_required
@require_POST
def checklist_item_action(request, ref: str, pk: int, action: str):
    """Done, waive (with a reason) or assign one item, then back to the checklist."""
    incident = selectors.incident_get(user=request.user, ref=ref)
    item = get_object_or_404(incident.checklist_items, pk=pk)
    try:
        if action == "done":
            checklist.checklist_item_done(actor=request.user, item=item)
        elif action == "waive":
            waiver = WaiverForm(request.POST, prefix=f"waive-{pk}")
            if not waiver.is_valid():
                raise ValidationError(_("A waiver needs its reason."))
            checklist.checklist_item_waive(actor=request.user, item=item, reason=waiver.cleaned_data["reason"])
        elif action == "assign":
            assignment = AssignForm(request.POST, prefix=f"assign-{pk}")
            if not assignment.is_valid():
                raise ValidationError(_("Choose someone who may see incidents."))
            checklist.checklist_item_assign(actor=request.user, item=item, owner=assignment.cleaned_data["owner"])
        else:
            raise ValidationError(_("Unknown checklist action."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, _("Checklist updated."))
    return redirect("incident-checklist", ref=ref)
