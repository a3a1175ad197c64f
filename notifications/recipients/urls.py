"""Affected people: the import page and the API under /api/."""

from django.urls import path

from notifications.recipients import api, views

urlpatterns = [
    path("api/incidents/<str:ref>/recipients/", api.IncidentRecipients.as_view(), name="api-incident-recipients"),
    path(
        "api/incidents/<str:ref>/recipients/import/", api.IncidentRecipientImport.as_view(),
        name="api-incident-recipients-import",
    ),
    path("incidents/<str:ref>/recipients/", views.recipient_import, name="incident-recipients"),
    path("incidents/<str:ref>/recipients/imports/<int:pk>/", views.recipient_import_job,
         name="incident-recipient-import"),
    path("incidents/<str:ref>/recipients/imports/<int:pk>/progress/", views.recipient_import_job_progress,
         name="incident-recipient-import-progress"),
]
