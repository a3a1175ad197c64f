"""REST API for notices: thin views over the notice services.

``GET /api/notices/{id}/preview/?channel=&language=&part=`` answers with the
message itself as the person receives it: ``part=text`` (the default) as
``text/plain; charset=utf-8`` (SMS, push body, e-mail text part), ``part=html``
as ``text/html`` (the e-mail's HTML part, the letter, the announcement) and
``part=subject`` (e-mail subject, push title) as text. It is filled for a sample
reader unless ``placeholders=1`` asks for the approved form with ``[[...]]`` in.
``channel=sms&provider=sms_tencent`` (or ``sms_aliyun``) answers the SMS a person
routed to that provider gets: its approved registered template, filled.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents import selectors as incident_selectors
from notifications.channels.routing import PROVIDER_LABELS, TEMPLATE_PROVIDERS
from notifications.models import Notice, RegulatorSubmission
from notifications.notices import rendering, services
from notifications.notices.pdf import notice_pdf
from notifications.notices.provider_templates import template_preview
from notifications.notices.selectors import notice_get, notices_require_view
from notifications.notices.serializers import (
    NoticeEditSerializer,
    NoticeSerializer,
    NoticeTransitionSerializer,
    NoticeVersionSerializer,
    RegulatorSubmissionSerializer,
)
from notifications.notices.versions import version_diff

PARTS = ("text", "html", "subject")


class IncidentNotices(APIView):
    serializer_class = NoticeSerializer

    @extend_schema(responses=NoticeSerializer(many=True))
    def get(self, request, ref: str):
        incident = incident_selectors.incident_get(user=request.user, ref=ref)
        notices_require_view(user=request.user)
        return Response(NoticeSerializer(incident.notices.order_by("id"), many=True).data)


class IncidentNoticesDraft(APIView):
    serializer_class = NoticeSerializer

    @extend_schema(request=None, responses={201: NoticeSerializer(many=True)})
    def post(self, request, ref: str):
        incident = incident_selectors.incident_get(user=request.user, ref=ref)
        notices = services.notices_draft(actor=request.user, incident=incident)
        code = status.HTTP_201_CREATED if notices else status.HTTP_200_OK
        return Response(NoticeSerializer(notices, many=True).data, status=code)


class NoticeDetail(APIView):
    serializer_class = NoticeSerializer

    def get(self, request, pk: int):
        return Response(NoticeSerializer(notice_get(user=request.user, pk=pk)).data)

    @extend_schema(request=NoticeEditSerializer, responses=NoticeSerializer)
    def patch(self, request, pk: int):
        notice = notice_get(user=request.user, pk=pk)
        serializer = NoticeEditSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notice = services.notice_edit(actor=request.user, notice=notice, **serializer.validated_data)
        return Response(NoticeSerializer(notice).data)


class NoticeTransition(APIView):
    serializer_class = NoticeTransitionSerializer

    @extend_schema(request=NoticeTransitionSerializer, responses=NoticeSerializer)
    def post(self, request, pk: int, name: str):
        notice = notice_get(user=request.user, pk=pk)
        serializer = NoticeTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notice = services.notice_transition(
            actor=request.user, notice=notice, name=name, comment=serializer.validated_data["comment"])
        return Response(NoticeSerializer(notice).data)


def _preview_args(request, notice: Notice) -> tuple[str, str, str]:
    channel = request.query_params.get("channel", "email")
    language = rendering.normalise_language(request.query_params.get("language", notice.languages[0]))
    part = request.query_params.get("part", "text")
    errors = {}
    if channel not in notice.channels:
        errors["channel"] = [f"This notice goes out on {', '.join(notice.channels)}."]
    if part not in PARTS:
        errors["part"] = [f"Use one of {', '.join(PARTS)}."]
    if errors:
        raise ValidationError(errors)
    return channel, language, part


class NoticePreview(APIView):
    @extend_schema(responses={(200, "text/plain"): str, (200, "text/html"): str})
    def get(self, request, pk: int):
        notice = notice_get(user=request.user, pk=pk)
        channel, language, part = _preview_args(request, notice)
        placeholders = request.query_params.get("placeholders") == "1"
        reader = None if placeholders else rendering.sample_recipient(notice, language)
        provider = request.query_params.get("provider", "")
        if provider:
            return _provider_preview(notice, channel=channel, provider=provider, language=language)
        message = rendering.render_message(
            version=notice.current_version, channel=channel, language=language, recipient=reader)
        body = {"text": message.text, "html": message.html, "subject": message.subject}[part]
        content_type = "text/html; charset=utf-8" if part == "html" else "text/plain; charset=utf-8"
        return HttpResponse(body, content_type=content_type)


def _provider_preview(notice: Notice, *, channel: str, provider: str, language: str) -> HttpResponse:
    """The registered template of ``provider`` filled for a sample reader (``?channel=sms&provider=``)."""
    if channel != "sms" or provider not in TEMPLATE_PROVIDERS:
        raise ValidationError({"provider": [f"With channel=sms, one of {', '.join(TEMPLATE_PROVIDERS)}."]})
    text = template_preview(
        version=notice.current_version, provider=provider, language=language,
        personal_url=rendering.sample_recipient(notice, language).personal_url,
    )
    if text is None:
        raise ValidationError({"provider": [f"{PROVIDER_LABELS[provider]} has no approved template."]})
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


class NoticePdf(APIView):
    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk: int):
        notice = notice_get(user=request.user, pk=pk)
        language = request.query_params.get("language", notice.languages[0])
        response = HttpResponse(notice_pdf(version=notice.current_version, language=language),
                                content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{notice.incident.ref}-notice-{notice.pk}.pdf"'
        return response


class NoticeVersions(APIView):
    serializer_class = NoticeVersionSerializer

    @extend_schema(responses=NoticeVersionSerializer(many=True))
    def get(self, request, pk: int):
        notice = notice_get(user=request.user, pk=pk)
        return Response(NoticeVersionSerializer(notice.versions.order_by("number"), many=True).data)


class NoticeDiff(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.INT, required=True, description="Older version number."),
            OpenApiParameter("to", OpenApiTypes.INT, required=True, description="Newer version number."),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, pk: int):
        notice = notice_get(user=request.user, pk=pk)
        try:
            old, new = int(request.query_params["from"]), int(request.query_params["to"])
        except (KeyError, ValueError) as exc:
            raise ValidationError({"from": ["Give two version numbers: ?from=1&to=2."]}) from exc
        versions = {v.number: v for v in notice.versions.filter(number__in=[old, new])}
        if old not in versions or new not in versions:
            raise ValidationError({"to": [f"Versions run from 1 to {notice.current_version.number}."]})
        return Response(version_diff(old=versions[old], new=versions[new]))


class NoticeSubmissions(APIView):
    serializer_class = RegulatorSubmissionSerializer

    @extend_schema(responses=RegulatorSubmissionSerializer(many=True))
    def get(self, request, pk: int):
        notice = notice_get(user=request.user, pk=pk)
        rows = RegulatorSubmission.objects.filter(obligation__in=notice.obligations.all())
        return Response(RegulatorSubmissionSerializer(rows, many=True).data)

    @extend_schema(request=RegulatorSubmissionSerializer, responses={201: RegulatorSubmissionSerializer})
    def post(self, request, pk: int):
        notice = notice_get(user=request.user, pk=pk)
        serializer = RegulatorSubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        upload = data.pop("file", None)
        submission = services.regulator_submission_record(
            actor=request.user, notice=notice, file_name=upload.name if upload else "",
            file_content=upload.read() if upload else b"", **data,
        )
        return Response(RegulatorSubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)
