from django.urls import path

from cockpit import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/read/", views.alerts_read, name="alerts-read"),
]
