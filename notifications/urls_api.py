from django.urls import path

from notifications import api

urlpatterns = [
    path("incidents/<str:ref>/notices/", api.IncidentNotices.as_view(), name="api-incident-notices"),
    path("incidents/<str:ref>/notices/draft/", api.IncidentNoticesDraft.as_view(), name="api-incident-notices-draft"),
    path("notices/<int:pk>/", api.NoticeDetail.as_view(), name="api-notice"),
    path("notices/<int:pk>/transitions/<str:name>/", api.NoticeTransition.as_view(), name="api-notice-transition"),
    path("notices/<int:pk>/preview/", api.NoticePreview.as_view(), name="api-notice-preview"),
    path("notices/<int:pk>/export.pdf", api.NoticePdf.as_view(), name="api-notice-pdf"),
    path("notices/<int:pk>/versions/", api.NoticeVersions.as_view(), name="api-notice-versions"),
    path("notices/<int:pk>/diff/", api.NoticeDiff.as_view(), name="api-notice-diff"),
    path("notices/<int:pk>/submissions/", api.NoticeSubmissions.as_view(), name="api-notice-submissions"),
]
