"""REST API for sending a notice and following its delivery: thin views over sending and evidence."""

from __future__ import annotations

import tempfile
from contextlib import ExitStack

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents.audit import audit_export
from notifications.delivery import announcements, evidence, letters, queue, sending
from notifications.delivery.plan import DELIVERABLE
from notifications.models import Notice

VIEW_PERMISSION = "notifications.view_delivery"
EXPORT_PERMISSION = "notifications.export_delivery"
CONTACT_PERMISSION = "notifications.view_recipient_contact"


def _notice(request, pk: int, permission: str = VIEW_PERMISSION) -> Notice:
    if not request.user.has_perm(permission):
        raise PermissionDenied(f"You need the permission '{permission}' to do this.")
    return get_object_or_404(Notice.objects.select_related("incident"), pk=pk)


class ChannelPlanSerializer(serializers.Serializer):
    overrides = serializers.DictField(child=serializers.DictField(), required=True)


class NoticeDeliverySummary(APIView):
    """GET: live count per channel and status, for the progress bar."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        return Response(evidence.notice_delivery_summary(notice=_notice(request, pk)))


class NoticeSendSerializer(serializers.Serializer):
    force_skip = serializers.ListField(
        child=serializers.ChoiceField(choices=DELIVERABLE), required=False, default=list,
        help_text="Channels to leave out although they cannot send, by the operator's explicit choice.",
    )


class NoticeSend(APIView):
    """POST: queue an approved notice (202, or 503 while the broker is down: the work is recorded and
    starts when it is back); again is harmless and says what is already queued (``already``). 409 with
    ``unconfigured_channels`` when a channel that would reach somebody cannot send and is not in
    ``force_skip``."""

    serializer_class = NoticeSendSerializer

    @extend_schema(
        request=NoticeSendSerializer,
        responses={202: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
    )
    def post(self, request, pk: int):
        serializer = NoticeSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notice = _notice(request, pk)
        already = notice.status in ("sending", "sent")
        notice = sending.notice_send(
            actor=request.user, notice=notice, force_skip=serializer.validated_data["force_skip"]
        )
        summary = evidence.notice_delivery_summary(notice=notice)
        if already:
            counts = list(summary["channels"].values())
            text = (
                gettext("Already sent: %(queued)d deliveries queued, %(sent)d sent.") if notice.status == "sent"
                else gettext("Already sending: %(queued)d deliveries queued, %(sent)d sent.")
            )
            summary["already"] = text % {
                "queued": sum(row["queued"] + row["sending"] for row in counts),
                "sent": sum(row["sent"] + row["delivered"] for row in counts),
            }
        if queue.dispatch_waiting(notice_id=notice.pk):
            summary["detail"] = gettext("queued, will start when the broker is back")
            return Response(summary, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response(summary, status=status.HTTP_202_ACCEPTED)


class NoticeChannelPlanView(APIView):
    """GET: the plan that sending would use now (or used); PUT: change the notice's overrides."""

    serializer_class = ChannelPlanSerializer

    def get(self, request, pk: int):
        notice = _notice(request, pk)
        return Response(sending.notice_plan_view(notice=notice))

    def put(self, request, pk: int):
        notice = _notice(request, pk)
        serializer = ChannelPlanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sending.notice_plan_update(actor=request.user, notice=notice, overrides=serializer.validated_data["overrides"])
        return Response(sending.notice_plan_view(notice=notice))


class NoticeReach(APIView):
    """GET: per jurisdiction, who no channel reached, letters to print, substitute notice."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        return Response(evidence.notice_reach(notice=_notice(request, pk)))


class CsvRenderer(BaseRenderer):
    """Lets a client ask for text/csv; the body itself is streamed by the view."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return str(data).encode()


# Spreadsheets guess the encoding of a CSV without one and garble names in other scripts.
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


class NoticeLettersCsv(APIView):
    """GET: the mail house's merge file of people flagged for a printed letter (names and addresses)."""

    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        notice = _notice(request, pk, EXPORT_PERMISSION)
        if not request.user.has_perm(CONTACT_PERMISSION):
            raise PermissionDenied(f"You need the permission '{CONTACT_PERMISSION}' to see postal addresses.")
        audit_export(actor=request.user, incident=notice.incident, export="letters.csv",
                     rows=evidence.letters_count(notice=notice), details={"notice": notice.pk})
        response = StreamingHttpResponse(evidence.letters_csv_rows(notice=notice), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="notice-{notice.pk}-letters.csv"'
        return response


class PdfRenderer(BaseRenderer):
    """Lets a client ask for application/pdf; the body itself is a file the view streams."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return str(data).encode()


class NoticeLettersPdf(APIView):
    """GET: the printed letters for the mail house, one per person flagged for a letter, as one PDF."""

    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk: int):
        notice = _notice(request, pk, EXPORT_PERMISSION)
        with ExitStack() as on_error:
            # A file on disk, not memory: a batch can run to thousands of pages. FileResponse
            # closes (and so deletes) it once sent; an error closes it here.
            output = on_error.enter_context(tempfile.TemporaryFile())
            letters.letters_pdf_write(actor=request.user, notice=notice, stream=output)
            on_error.pop_all()
        output.seek(0)
        return FileResponse(output, as_attachment=True, filename=f"notice-{notice.pk}-letters.pdf",
                            content_type="application/pdf")


class NoticeDeliveriesCsv(APIView):
    """GET: every delivery with timestamps and provider ids, as CSV evidence."""

    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        notice = _notice(request, pk, EXPORT_PERMISSION)
        audit_export(actor=request.user, incident=notice.incident, export="deliveries.csv",
                     rows=notice.deliveries.count(), details={"notice": notice.pk})
        response = StreamingHttpResponse(evidence.deliveries_csv_rows(notice=notice), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="notice-{notice.pk}-deliveries.csv"'
        return response


class AnnouncementSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class NoticeAnnouncementView(APIView):
    """POST: publish the notice as a public announcement (substitute notice) where the rules allow it."""

    serializer_class = AnnouncementSerializer

    def post(self, request, pk: int):
        notice = _notice(request, pk)
        serializer = AnnouncementSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        announcement = announcements.notice_announcement_publish(
            actor=request.user, notice=notice, reason=serializer.validated_data["reason"]
        )
        return Response(
            {"url": announcements.announcement_url(announcement), "published_at": announcement.published_at,
             "reason": announcement.reason},
            status=status.HTTP_201_CREATED,
        )
