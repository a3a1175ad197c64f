"""The breach register's page and its API (``GET /api/register/?format=csv|json``): thin over cockpit.register."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cockpit.filters import RegisterFilter
from cockpit.register import register_csv, register_entries, register_incidents


@login_required
def register_page(request):
    filterset = RegisterFilter(request.GET, queryset=register_incidents(user=request.user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "dashboard/register.html", {
        "filter": filterset, "page": page, "entries": register_entries(page.object_list), "query": query.urlencode()})


class RegisterCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "register" in data:
            return register_csv(data["register"]).encode()
        return JSONRenderer().render(data)


class RegisterApi(APIView):
    """The register, filtered like its page; ``?format=csv`` for a spreadsheet, JSON otherwise."""

    renderer_classes = [JSONRenderer, RegisterCSVRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "csv"], description="csv or json (default)")],
        responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request):
        filterset = RegisterFilter(request.query_params, queryset=register_incidents(user=request.user))
        response = Response({"register": register_entries(filterset.qs)})
        if request.accepted_renderer.format == "csv":
            response["Content-Disposition"] = 'attachment; filename="breach-register.csv"'
        return response
