"""Notices: the pages (drafting, editing, approval queue, diff) and the API under /api/."""

from django.urls import path

from notifications.notices import api, views

urlpatterns = [
    path("incidents/<str:ref>/notices/", views.incident_notices, name="incident-notices"),
    path("incidents/<str:ref>/notices/draft/", views.incident_notices_draft, name="incident-notices-draft"),
    path("notices/queue/", views.notice_queue, name="notice-queue"),
    path("notices/<int:pk>/", views.notice_editor, name="notice-editor"),
    path("notices/<int:pk>/live-preview/", views.notice_live_preview, name="notice-live-preview"),
    path("notices/<int:pk>/transitions/<str:name>/", views.notice_transition, name="notice-transition"),
    path("notices/<int:pk>/diff/", views.notice_diff, name="notice-diff"),
    path("obligations/<int:pk>/submissions/", views.obligation_submissions, name="obligation-submissions"),
    path("submissions/<int:pk>/file/", views.submission_file, name="submission-file"),
    path("api/incidents/<str:ref>/notices/", api.IncidentNotices.as_view(), name="api-incident-notices"),
    path("api/incidents/<str:ref>/notices/draft/", api.IncidentNoticesDraft.as_view(), name="api-incident-notices-draft"),
    path("api/notices/<int:pk>/", api.NoticeDetail.as_view(), name="api-notice"),
    path("api/notices/<int:pk>/transitions/<str:name>/", api.NoticeTransition.as_view(), name="api-notice-transition"),
    path("api/notices/<int:pk>/preview/", api.NoticePreview.as_view(), name="api-notice-preview"),
    path("api/notices/<int:pk>/export.pdf", api.NoticePdf.as_view(), name="api-notice-pdf"),
    path("api/notices/<int:pk>/versions/", api.NoticeVersions.as_view(), name="api-notice-versions"),
    path("api/notices/<int:pk>/diff/", api.NoticeDiff.as_view(), name="api-notice-diff"),
    path("api/notices/<int:pk>/submissions/", api.NoticeSubmissions.as_view(), name="api-notice-submissions"),
]
