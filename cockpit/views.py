"""The dashboard (the home page) and the header's alerts: thin over cockpit.dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cockpit.dashboard import dashboard_counters, dashboard_incidents, dashboard_rows, my_work
from cockpit.filters import DashboardFilter
from cockpit.models import InAppAlert

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
