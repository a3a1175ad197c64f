"""URLs of sending and delivery: the API under /api/notices/ and provider webhooks under /webhooks/."""

from django.urls import path

from notifications import delivery_api, webhooks

urlpatterns = [
    path("api/notices/<int:pk>/send/", delivery_api.NoticeSend.as_view(), name="api-notice-send"),
    path(
        "api/notices/<int:pk>/deliveries/summary/", delivery_api.NoticeDeliverySummary.as_view(),
        name="api-notice-delivery-summary",
    ),
    path("api/notices/<int:pk>/deliveries.csv", delivery_api.NoticeDeliveriesCsv.as_view(), name="api-notice-deliveries-csv"),
    path("api/notices/<int:pk>/channel-plan/", delivery_api.NoticeChannelPlanView.as_view(), name="api-notice-channel-plan"),
    path("api/notices/<int:pk>/reach/", delivery_api.NoticeReach.as_view(), name="api-notice-reach"),
    path("webhooks/twilio/status/<int:delivery_id>/", webhooks.twilio_status, name="webhook-twilio-status"),
]
