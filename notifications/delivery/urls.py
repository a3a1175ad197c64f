"""Sending and delivery: the API under /api/notices/, the personal notice page, announcements, provider webhooks."""

from django.urls import include, path

from notifications.delivery import announcements, views, webhooks
from notifications.delivery import api as delivery_api

urlpatterns = [
    path("api/notices/<int:pk>/send/", delivery_api.NoticeSend.as_view(), name="api-notice-send"),
    path(
        "api/notices/<int:pk>/deliveries/summary/", delivery_api.NoticeDeliverySummary.as_view(),
        name="api-notice-delivery-summary",
    ),
    path("api/notices/<int:pk>/deliveries.csv", delivery_api.NoticeDeliveriesCsv.as_view(), name="api-notice-deliveries-csv"),
    path("api/notices/<int:pk>/letters.csv", delivery_api.NoticeLettersCsv.as_view(), name="api-notice-letters-csv"),
    path("api/notices/<int:pk>/letters.pdf", delivery_api.NoticeLettersPdf.as_view(), name="api-notice-letters-pdf"),
    path("api/notices/<int:pk>/channel-plan/", delivery_api.NoticeChannelPlanView.as_view(), name="api-notice-channel-plan"),
    path("api/notices/<int:pk>/reach/", delivery_api.NoticeReach.as_view(), name="api-notice-reach"),
    path("api/notices/<int:pk>/announcement/", delivery_api.NoticeAnnouncementView.as_view(), name="api-notice-announcement"),
    path("n/<str:token>/", views.personal_notice, name="personal-notice"),
    path("notices/<int:pk>/delivery/", views.notice_delivery, name="notice-delivery"),
    path("notices/<int:pk>/approve-and-send/", views.notice_approve_and_send, name="notice-approve-and-send"),
    path("notices/<int:pk>/delivery/progress/", views.notice_delivery_progress, name="notice-delivery-progress"),
    path("notices/<int:pk>/announcement/<str:action>/", views.notice_announcement_change,
         name="notice-announcement-change"),
    # The development outbox: answers 404 unless DEBUG is on (checked at every request).
    path("dev/outbox/", views.dev_outbox, name="dev-outbox"),
    path("announcements/<str:slug>/", announcements.announcement_page, name="notice-announcement"),
    # Each ESP's tracking webhook (e.g. /webhooks/anymail/postmark/tracking/), authenticated by anymail
    # with ANYMAIL["WEBHOOK_SECRET"]; its events reach notifications.delivery.webhooks.email_tracking.
    path("webhooks/anymail/", include(webhooks.anymail_webhook_urls())),
    path("webhooks/twilio/status/<int:delivery_id>/", webhooks.twilio_status, name="webhook-twilio-status"),
]
