from django.urls import path

from notifications import views

urlpatterns = [
    path("incidents/<str:ref>/notices/", views.incident_notices, name="incident-notices"),
    path("incidents/<str:ref>/notices/draft/", views.incident_notices_draft, name="incident-notices-draft"),
    path("notices/queue/", views.notice_queue, name="notice-queue"),
    path("notices/<int:pk>/", views.notice_editor, name="notice-editor"),
    path("notices/<int:pk>/live-preview/", views.notice_live_preview, name="notice-live-preview"),
    path("notices/<int:pk>/transitions/<str:name>/", views.notice_transition, name="notice-transition"),
    path("notices/<int:pk>/diff/", views.notice_diff, name="notice-diff"),
]
