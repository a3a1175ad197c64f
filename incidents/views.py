"""Server-rendered pages for responders and legal: thin over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from incidents import selectors, services
from incidents.errors import Conflict
from incidents.forms import AssessmentForm, IncidentForm


def _apply_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def incident_list(request):
    incidents = selectors.incident_list(user=request.user)
    return render(request, "incidents/incident_list.html", {"incidents": incidents})


@login_required
def incident_create(request):
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{incident.ref} created. Every legal clock runs from {incident.aware_at:%Y-%m-%d %H:%M} UTC.")
            return redirect("incident-detail", ref=incident.ref)
    return render(request, "incidents/incident_form.html", {"form": form})


@login_required
def incident_assess(request, ref: str):
    incident = selectors.incident_get(user=request.user, ref=ref)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.risk_assessment_update(actor=request.user, incident=incident, assessment=form.cleaned_data)
        except (ValidationError, PermissionDenied, Conflict) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, f"Risk assessed: {record.level.replace('_', ' ')} (score {record.score}).")
            return redirect("incident-detail", ref=ref)
    return render(request, "incidents/assessment_form.html", {"form": form, "incident": incident})


@login_required
def incident_detail(request, ref: str):
    incident = selectors.incident_get(user=request.user, ref=ref)
    transitions = selectors.incident_available_transitions(user=request.user, incident=incident)
    events = selectors.incident_audit_events(user=request.user, incident=incident)
    obligations = selectors.incident_obligations(user=request.user, incident=incident)
    return render(
        request, "incidents/incident_detail.html",
        {"incident": incident, "transitions": transitions, "events": events, "obligations": obligations},
    )


@login_required
@require_POST
def incident_transition(request, ref: str, name: str):
    incident = selectors.incident_get(user=request.user, ref=ref)
    try:
        services.incident_transition(
            actor=request.user, incident=incident, name=name, reason=request.POST.get("reason", "")
        )
    except (Conflict, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{incident.ref}: {name.replace('_', ' ')} recorded.")
    return redirect("incident-detail", ref=ref)
