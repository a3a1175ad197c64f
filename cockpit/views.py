"""The dashboard (the home page), the header's alerts, calendar feeds and the timeline: thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cockpit.calendar import calendar_build, calendar_feed_for, calendar_feed_revoke, calendar_feed_user
from cockpit.dashboard import dashboard_counters, dashboard_incidents, dashboard_rows, my_work
from cockpit.filters import DashboardFilter
from cockpit.forms import ReminderSettingsForm, small_case_form
from cockpit.models import InAppAlert
from cockpit.small_case import small_case_notify, small_case_size
from cockpit.timeline import incident_timeline
from incidents import selectors, services
from incidents.errors import Conflict, error_message, errors_to_form

PAGE_SIZE = 50


@login_required
def dashboard(request):
    """Open incidents by nearest deadline. An htmx refresh gets only the live part (the same template)."""
    now = timezone.now()
    filterset = DashboardFilter(request.GET, queryset=dashboard_incidents(user=request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset, "page": page, "rows": dashboard_rows(page.object_list, now=now), "now": now,
        "counters": dashboard_counters(user=request.user, now=now), "query": query.urlencode(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "dashboard/_live.html", context)
    return render(request, "dashboard/dashboard.html", {**context, "work": my_work(user=request.user)})


@login_required
def alerts(request):
    """The person's deadline alerts, newest first."""
    return render(request, "dashboard/alerts.html", {
        "alerts": InAppAlert.objects.filter(user=request.user).select_related("reminder")[:100]})


@login_required
@require_POST
def alerts_read(request):
    InAppAlert.objects.filter(user=request.user, read_at=None).update(read_at=timezone.now())
    return redirect("alerts")


@login_required
def calendar_page(request):
    """The person's private feed address, and a way to revoke it."""
    if request.method == "POST":
        calendar_feed_revoke(user=request.user)
        messages.success(request, _("The old address no longer works. Subscribe to the new one."))
        return redirect("calendar")
    feed = calendar_feed_for(user=request.user)
    return render(request, "dashboard/calendar.html", {
        "feed_url": request.build_absolute_uri(reverse("calendar-feed", args=[feed.token]))})


def calendar_feed(request, token: str):
    """The private feed: the token is the credential, so no login (calendar programs cannot log in)."""
    user = calendar_feed_user(token=token)
    return HttpResponse(calendar_build(user=user), content_type="text/calendar; charset=utf-8")


@login_required
def incident_calendar(request, ref: str):
    incident = selectors.incident_get(user=request.user, ref=ref)
    response = HttpResponse(calendar_build(user=request.user, incident=incident),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{incident.ref}.ics"'
    return response


@login_required
def incident_timeline_page(request, ref: str):
    incident = selectors.incident_get(user=request.user, ref=ref)
    return render(request, "dashboard/timeline.html", {
        "incident": incident, "moments": incident_timeline(user=request.user, incident=incident),
        "now": timezone.now()})


@login_required
def reminder_settings(request):
    """Admins set when reminders go out before a deadline; everyone may read who gets what."""
    profile = selectors.organisation_profile(user=request.user)
    may_edit = request.user.has_perm("incidents.change_organisationprofile")
    form = ReminderSettingsForm(request.POST if may_edit and request.method == "POST" else None, initial={
        name: getattr(profile, name) for name in ReminderSettingsForm.base_fields})
    if request.method == "POST" and may_edit and form.is_valid():
        try:
            services.organisation_profile_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Reminder times saved; they apply from the next minute."))
            return redirect("reminder-settings")
    return render(request, "dashboard/reminder_settings.html", {"form": form, "may_edit": may_edit,
                                                                 "profile": profile})


@login_required
def small_case(request, ref: str):
    """A small case's people by name and e-mail: import them, draft the notice and submit it for legal, at once."""
    incident = selectors.incident_get(user=request.user, ref=ref)
    size = small_case_size(incident=incident)
    if size is None:
        messages.error(request, _("%(ref)s is not a small case: it must be assessed, affect at most 10 people and "
                                  "have no imported people or notice yet.") % {"ref": incident.ref})
        return redirect("incident-detail", ref=incident.ref)
    form = small_case_form(incident=incident, size=size, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = small_case_notify(actor=request.user, incident=incident, people=form.people())
        except ValidationError as exc:
            errors_to_form(form, exc)
        except (Conflict, PermissionDenied) as exc:
            form.add_error(None, error_message(exc))
        else:
            messages.success(request, _("Notice %(id)s drafted for %(count)s people and sent to legal for "
                                        "approval.") % {"id": notice.pk, "count": size})
            return redirect("incident-detail", ref=incident.ref)
    return render(request, "dashboard/small_case.html", {"incident": incident, "form": form},
                  status=400 if form.is_bound else 200)
