from django.urls import path

from cockpit import register_views, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/read/", views.alerts_read, name="alerts-read"),
    path("reminders/", views.reminder_settings, name="reminder-settings"),
    path("register/", register_views.register_page, name="register"),
    path("api/register/", register_views.RegisterApi.as_view(), name="api-register"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("incidents/<str:ref>/calendar.ics", views.incident_calendar, name="incident-calendar"),
    path("incidents/<str:ref>/timeline/", views.incident_timeline_page, name="incident-timeline"),
    path("incidents/<str:ref>/small-case/", views.small_case, name="incident-small-case"),
]
