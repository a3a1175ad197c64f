"""URLs for affected people: the API, the import page, and the personal notice page ``/n/<token>/``."""

from django.urls import path

from notifications import recipient_views, recipients_api

urlpatterns = [
    path("api/incidents/<str:ref>/recipients/", recipients_api.IncidentRecipients.as_view(), name="api-incident-recipients"),
    path(
        "api/incidents/<str:ref>/recipients/import/", recipients_api.IncidentRecipientImport.as_view(),
        name="api-incident-recipients-import",
    ),
    path("incidents/<str:ref>/recipients/", recipient_views.recipient_import, name="incident-recipients"),
    path("n/<str:token>/", recipient_views.personal_notice, name="personal-notice"),
]
