from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api_errors import api_not_found
from incidents.api import ApiToken
from incidents.two_factor import second_factor

handler404 = "config.api_errors.not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/2fa/", second_factor, name="second-factor"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/auth/token/", ApiToken.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the Content-Security-Policy allows no inline one.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html"),
         name="api-docs"),
    path("api/", include("incidents.urls_api")),
    path("", include("notifications.urls")),
    path("", include("cockpit.urls")),
    path("", include("incidents.urls")),
    re_path(r"^api/", api_not_found),
]
