"""Server-rendered pages for responders and legal: thin over selectors and services."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from incidents import labels, obligations, selectors, services
from incidents.errors import Conflict, error_message, errors_to_form
from incidents.form_fields import affected_formset, jurisdiction_options
from incidents.forms import (
    AssessmentForm,
    IncidentCreateForm,
    IncidentEditForm,
    LawEnforcementDelayForm,
    LegalHoldForm,
    NoticeFactsForm,
    ObligationExemptForm,
    ObligationMetForm,
    OrganisationProfileForm,
    PreferenceForm,
    RiskOverrideForm,
    measure_formset,
)
from incidents.models import IncidentState, OrganisationProfile, UserPreference
from incidents.templatetags.breachline import zoned_text

_SESSION_CHANGES = "obligation_changes"


def _clock_sentence(moment: datetime) -> str:
    """Read the clock start back in the zone it was given in, and in UTC."""
    return _("Every legal clock runs from %(moment)s.") % {"moment": zoned_text(moment, moment.tzinfo)}


def _confirmation(aware_at: datetime) -> dict:
    """What the page reads back before a legal clock starts or moves, and the value that confirms it."""
    return {"sentence": _clock_sentence(aware_at), "clock": aware_at.isoformat()}


@login_required
def incident_list(request):
    incidents = selectors.incident_list(user=request.user)
    return render(request, "incidents/incident_list.html", {"incidents": incidents})


def _facts(form, formset) -> dict:
    return {**form.cleaned_data, "affected": formset.affected()}


@login_required
def incident_create(request):
    """Two steps: the facts, then the clock start read back in the chosen zone and UTC before anything starts."""
    if not request.user.has_perm("incidents.add_incident"):
        raise PermissionDenied(_("You may not create incidents."))
    form = IncidentCreateForm(request.POST or None, zone=request.zone_name)
    formset = affected_formset(request.POST or None)
    confirm = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        if request.POST.get("clock") != form.cleaned_data["aware_at"].isoformat():
            confirm = _confirmation(form.cleaned_data["aware_at"])
        else:
            try:
                incident = services.incident_create(actor=request.user, **_facts(form, formset))
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("%(ref)s created. %(clock)s") % {
                    "ref": incident.ref, "clock": _clock_sentence(form.cleaned_data["aware_at"])})
                return redirect("incident-detail", ref=incident.ref)
    return render(request, "incidents/incident_form.html", {
        "form": form, "formset": formset, "confirm": confirm, "jurisdictions": jurisdiction_options(),
    })


@login_required
def incident_edit(request, ref: str):
    """Edit the facts; a changed awareness time is read back before the clocks move. Shows what changed after."""
    incident = selectors.incident_get(user=request.user, ref=ref)
    if not request.user.has_perm("incidents.change_incident"):
        raise PermissionDenied(_("You may not edit incidents."))
    initial = {name: getattr(incident, name) for name in IncidentEditForm.base_fields if name != "affected"}
    form = IncidentEditForm(request.POST or None, initial=initial, zone=request.zone_name)
    formset = affected_formset(request.POST or None, initial={row.jurisdiction: row.declared_count
                                                             for row in incident.affected.all()})
    notice_facts = NoticeFactsForm(request.POST or None, zone=request.zone_name,
                                   initial={name: getattr(incident, name) for name in NoticeFactsForm.base_fields})
    # A post without the measures rows (an older page, a script) leaves the measures as they are.
    measures = measure_formset(request.POST if "measures-TOTAL_FORMS" in request.POST else None,
                               initial=incident.measures, zone=request.zone_name)
    parts = (form, formset, notice_facts, *([measures] if measures.is_bound else []))
    confirm = None
    if incident.state == IncidentState.CLOSED:
        messages.error(request, _("%(ref)s is closed: reopen it before changing its facts.") % {"ref": incident.ref})
        return redirect("incident-detail", ref=ref)
    if request.method == "POST" and all(part.is_valid() for part in parts):
        aware_at = form.cleaned_data["aware_at"]
        if aware_at != incident.aware_at and request.POST.get("clock") != aware_at.isoformat():
            confirm = _confirmation(aware_at)
        else:
            before = selectors.obligation_snapshot(incident=incident)
            try:
                services.incident_update(actor=request.user, incident=incident, **_facts(form, formset),
                                         **notice_facts.cleaned_data,
                                         **({"measures": measures.measures()} if measures.is_bound else {}))
            except ValidationError as exc:
                errors_to_form(form, exc)
            except Conflict as exc:
                form.add_error(None, error_message(exc))
            else:
                request.session[_SESSION_CHANGES] = {
                    "ref": ref, **selectors.obligation_changes(incident=incident, before=before)}
                messages.success(request, _("Facts saved."))
                return redirect("incident-detail", ref=ref)
    return render(request, "incidents/incident_edit.html", {
        "incident": incident, "form": form, "formset": formset, "confirm": confirm,
        "notice_facts": notice_facts, "measures": measures,
        "jurisdictions": jurisdiction_options(),
    })


@login_required
def incident_assess(request, ref: str):
    incident = selectors.incident_get(user=request.user, ref=ref)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessed = services.risk_assessment_update(
                actor=request.user, incident=incident, assessment=form.assessment(),
                risk_override=getattr(getattr(incident, "risk_assessment", None), "risk_override", ""),
                override_reason=getattr(getattr(incident, "risk_assessment", None), "override_reason", ""),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        except (PermissionDenied, Conflict) as exc:
            form.add_error(None, error_message(exc))
        else:
            messages.success(request, _("Risk assessed: %(level)s (ENISA score %(score)s).") % {
                "level": labels.label(labels.LEVELS, assessed.computed_level), "score": assessed.score})
            return redirect("incident-detail", ref=ref)
    record = getattr(incident, "risk_assessment", None)
    override = RiskOverrideForm(initial={"risk_override": record.risk_override if record else "",
                                         "override_reason": record.override_reason if record else ""})
    return render(request, "incidents/assessment_form.html", {
        "form": form, "incident": incident, "override_form": override, "record": record})


@login_required
@require_POST
def incident_risk_override(request, ref: str):
    """Legal sets (or clears) the level the obligations use, with a reason; the answers stay as assessed."""
    incident = selectors.incident_get(user=request.user, ref=ref)
    record = getattr(incident, "risk_assessment", None)
    form = RiskOverrideForm(request.POST)
    if record is None or record.completed_at is None:
        messages.error(request, _("Assess the risk first; legal can then override the level."))
    elif form.is_valid():
        answers = {key: getattr(record, key) for key in
                   ("ease_of_identification", "confidentiality", "integrity", "availability", "volume", "malicious")}
        try:
            services.risk_assessment_update(actor=request.user, incident=incident, assessment=answers,
                                            **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_message(exc))
        else:
            messages.success(request, _("Risk level decided by legal recorded."))
            return redirect("incident-detail", ref=ref)
    return redirect("incident-assess", ref=ref)


@login_required
@require_POST
def incident_no_harm(request, ref: str):
    """Legal records (or withdraws) the determination that harm is not reasonably likely, with its reason."""
    incident = selectors.incident_get(user=request.user, ref=ref)
    try:
        if "withdraw" in request.POST:
            services.incident_no_harm_withdraw(actor=request.user, incident=incident)
            messages.success(request, _("No-harm determination withdrawn."))
        else:
            services.incident_no_harm_determine(actor=request.user, incident=incident,
                                                reason=request.POST.get("reason", ""))
            messages.success(request, _("No-harm determination recorded."))
    except (ValidationError, PermissionDenied, Conflict) as exc:
        messages.error(request, error_message(exc))
        return redirect(reverse("incident-assess", args=[ref]) + "#no-harm")
    return redirect("incident-detail", ref=ref)


def _withdrawn_reasons(incident, rows) -> dict[int, object]:
    if not any(not row.applies for row in rows):
        return {}
    not_required = selectors.incident_not_required(incident=incident)
    return {row.pk: not_required.get((row.jurisdiction, row.audience, row.authority))
            for row in rows if not row.applies}


def _changes(request, incident, rows) -> dict | None:
    stored = request.session.pop(_SESSION_CHANGES, None)
    if not stored or stored.get("ref") != incident.ref:
        return None
    by_id = {row.pk: row for row in rows}
    parse = datetime.fromisoformat
    return {
        "added": [by_id[pk] for pk in stored["added"] if pk in by_id],
        "moved": [(by_id[pk], old and parse(old), new and parse(new), reason)
                  for pk, old, new, reason in stored["moved"] if pk in by_id],
        "withdrawn": [(by_id[pk], reason) for pk, reason in stored["withdrawn"] if pk in by_id],
    }


def _detail(request, incident, *, bound: dict | None = None, status: int = 200):
    """Render the incident page; ``bound`` carries a form that failed, to show its errors in place."""
    bound = bound or {}
    rows = list(selectors.incident_obligations(user=request.user, incident=incident))
    zone = request.zone_name
    for row in rows:
        row.met_form = bound.get(("met", row.pk)) or ObligationMetForm(prefix=f"met-{row.pk}", zone=zone)
        row.exempt_form = bound.get(("exempt", row.pk)) or ObligationExemptForm(prefix=f"exempt-{row.pk}")
    withdrawn = _withdrawn_reasons(incident, rows)
    for row in rows:
        row.why_not = withdrawn.get(row.pk)
    return render(request, "incidents/incident_detail.html", {
        "incident": incident,
        "transitions": selectors.incident_available_transitions(user=request.user, incident=incident),
        "events": selectors.incident_audit_events(user=request.user, incident=incident),
        "obligations": rows,
        "changes": _changes(request, incident, rows),
        "delay_form": bound.get("delay") or LawEnforcementDelayForm(prefix="delay", zone=zone),
        "hold_form": bound.get("hold") or LegalHoldForm(prefix="hold"),
        "delays": incident.law_enforcement_delays.all(),
        "retention_days": OrganisationProfile.current().contact_retention_days,
        "editable": incident.state != IncidentState.CLOSED,
        "decisions": selectors.incident_decisions(incident=incident) if request.GET.get("explain") else None,
    }, status=status)


@login_required
def incident_detail(request, ref: str):
    return _detail(request, selectors.incident_get(user=request.user, ref=ref))


def _back_to(incident, anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("incident-detail", args=[incident.ref]) + f"#{anchor}")


def _act_on_detail(request, *, incident, form, bound_key, act, success: str, anchor: str):
    """Run one service with a valid form and go back to the incident; otherwise show the errors in place."""
    if form.is_valid():
        try:
            act(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, error_message(exc))
        else:
            messages.success(request, success)
            return _back_to(incident, anchor)
    return _detail(request, incident, bound={bound_key: form}, status=400)


@login_required
@require_POST
def obligation_met(request, pk: int):
    obligation = selectors.obligation_get(user=request.user, pk=pk)
    return _act_on_detail(
        request, incident=obligation.incident, bound_key=("met", pk),
        form=ObligationMetForm(request.POST, prefix=f"met-{pk}", zone=request.zone_name),
        act=partial(obligations.obligation_mark_met, obligation=obligation),
        success=_("Obligation recorded as met."), anchor=f"obligation-{pk}",
    )


@login_required
@require_POST
def obligation_exempt(request, pk: int):
    obligation = selectors.obligation_get(user=request.user, pk=pk)
    return _act_on_detail(
        request, incident=obligation.incident, bound_key=("exempt", pk),
        form=ObligationExemptForm(request.POST, prefix=f"exempt-{pk}"),
        act=partial(obligations.obligation_exempt, obligation=obligation),
        success=_("Obligation recorded as exempted."), anchor=f"obligation-{pk}",
    )


@login_required
@require_POST
def law_enforcement_delay(request, ref: str):
    incident = selectors.incident_get(user=request.user, ref=ref)
    return _act_on_detail(
        request, incident=incident, bound_key="delay",
        form=LawEnforcementDelayForm(request.POST, prefix="delay", zone=request.zone_name),
        act=partial(services.law_enforcement_delay_record, incident=incident),
        success=_("Law-enforcement delay recorded. Deadlines move once legal has confirmed it."), anchor="obligations",
    )


def _act_without_form(request, *, incident, act, success: str, anchor: str) -> HttpResponseRedirect:
    """Run one service that takes no input and go back to the incident with its outcome as a message."""
    try:
        act(actor=request.user)
    except (Conflict, ValidationError, PermissionDenied) as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, success)
    return _back_to(incident, anchor)


@login_required
@require_POST
def legal_hold_place(request, ref: str):
    incident = selectors.incident_get(user=request.user, ref=ref)
    return _act_on_detail(
        request, incident=incident, bound_key="hold", form=LegalHoldForm(request.POST, prefix="hold"),
        act=partial(services.incident_legal_hold_place, incident=incident),
        success=_("Legal hold placed: the contact details are kept until it is released."), anchor="retention",
    )


@login_required
@require_POST
def legal_hold_release(request, ref: str):
    incident = selectors.incident_get(user=request.user, ref=ref)
    return _act_without_form(
        request, incident=incident, act=partial(services.incident_legal_hold_release, incident=incident),
        success=_("Legal hold released: the contact details are erased once the retention passes."),
        anchor="retention",
    )


@login_required
@require_POST
def law_enforcement_delay_confirm(request, ref: str, pk: int):
    delay = selectors.law_enforcement_delay_get(user=request.user, ref=ref, pk=pk)
    return _act_without_form(
        request, incident=delay.incident, act=partial(services.law_enforcement_delay_confirm, delay=delay),
        success=_("Law-enforcement delay confirmed; the clocks its law allows are paused."), anchor="law-enforcement",
    )


@login_required
@require_POST
def incident_transition(request, ref: str, name: str):
    incident = selectors.incident_get(user=request.user, ref=ref)
    try:
        services.incident_transition(
            actor=request.user, incident=incident, name=name, reason=request.POST.get("reason", "")
        )
    except (Conflict, ValidationError, PermissionDenied) as exc:
        messages.error(request, error_message(exc))
    else:
        messages.success(request, _("%(ref)s: %(step)s recorded.") % {
            "ref": incident.ref, "step": labels.label(labels.TRANSITIONS, name)})
    return redirect("incident-detail", ref=ref)


@login_required
def preferences(request):
    """The person's own time zone and language."""
    current = UserPreference.objects.filter(user=request.user).first()
    form = PreferenceForm(request.POST or None, initial={
        "time_zone": current.time_zone if current else "", "language": current.language if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_preference_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Preferences saved."))
            return redirect("preferences")
    return render(request, "incidents/preferences.html", {"form": form})


@login_required
def organisation_profile(request):
    """Admins keep the organisation's facts: contact point, regimes, role, offers and the default time zone."""
    if not request.user.has_perm("incidents.change_organisationprofile"):
        raise PermissionDenied(_("You may not edit the organisation profile."))
    profile = selectors.organisation_profile(user=request.user)
    form = OrganisationProfileForm(request.POST or None, initial={
        name: getattr(profile, name) for name in OrganisationProfileForm.base_fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_profile_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Organisation profile saved; open incidents were planned again."))
            return redirect("organisation-profile")
    return render(request, "incidents/organisation_profile.html", {"form": form})


@require_POST
def language_switch(request):
    """Django's ``set_language``, remembered on the person's preferences when signed in."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        current = UserPreference.objects.filter(user=request.user).first()
        try:
            services.user_preference_update(
                actor=request.user, time_zone=current.time_zone if current else "", language=language)
        except ValidationError as exc:
            messages.error(request, error_message(exc))
    return set_language(request)
