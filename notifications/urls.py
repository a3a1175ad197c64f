"""The app's one URL entry point: each sub-package's pages and API, under the ``notifications`` namespace."""

from django.urls import include, path

app_name = "notifications"

urlpatterns = [
    path("", include("notifications.notices.urls")),
    path("", include("notifications.recipients.urls")),
    path("", include("notifications.delivery.urls")),
]
