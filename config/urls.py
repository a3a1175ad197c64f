from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from incidents.api import ApiToken
from incidents.two_factor import second_factor

handler404 = "config.api_errors.not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/2fa/", second_factor, name="second-factor"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/auth/token/", ApiToken.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("incidents.urls_api")),
    path("", include("notifications.urls")),
    path("", include("cockpit.urls")),
    path("api-auth/", include("rest_framework.urls")),
    path("", include("incidents.urls")),
]
