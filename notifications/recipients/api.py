"""REST API for affected people: import a file, list people with counts per jurisdiction.

Who sees what: responders, legal and admins (``view_recipient``) see each person's
external id, jurisdiction, language, categories and which channels reach them;
names and contact details only with ``view_recipient_contact`` (legal and admins,
who answer people's questions about the notice). Personal links are never listed:
the token is the person's only key to their notice.
"""

from __future__ import annotations

import re

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents import selectors
from incidents.audit import audit_export
from incidents.pagination import BoundedLimitOffsetPagination
from notifications.models.recipient import Recipient
from notifications.recipients.importing import recipients_import_upload
from notifications.recipients.reading import ImportFormatError
from notifications.recipients.selectors import people_count, population_counts, recipients_visible


class RecipientSerializer(serializers.ModelSerializer):
    channels = serializers.SerializerMethodField()

    class Meta:
        model = Recipient
        fields = [
            "id", "external_id", "jurisdiction", "language", "data_categories", "is_minor", "channels",
            "read_at", "created_at",
        ]

    def get_channels(self, recipient: Recipient) -> list[str]:
        flags = {"email": recipient.has_email, "sms": recipient.has_sms, "push": recipient.has_push,
                 "letter": recipient.has_letter}
        return [channel for channel, present in flags.items() if present]


_SURROGATE = re.compile("[\ud800-\udfff]")


class StoredText(serializers.CharField):
    """Text as stored, readable by any client: a character UTF-8 cannot carry (a lone surrogate
    imported before the importer refused them) is shown as U+FFFD instead of failing the page."""

    def to_representation(self, value) -> str:
        return _SURROGATE.sub("\ufffd", str(value))


class RecipientContactSerializer(RecipientSerializer):
    name = StoredText(read_only=True)
    email = StoredText(read_only=True)
    phone = StoredText(read_only=True)
    postal_address = StoredText(read_only=True)
    guardian_email = StoredText(read_only=True)
    guardian_phone = StoredText(read_only=True)

    class Meta(RecipientSerializer.Meta):
        fields = [
            *RecipientSerializer.Meta.fields, "name", "email", "phone", "postal_address", "guardian_email",
            "guardian_phone",
        ]


class TalliedPeoplePagination(BoundedLimitOffsetPagination):
    """Pages of an incident's people whose ``count`` comes from the people tallies (constant time), where
    COUNT(*) would read every person: seconds for a million."""

    def paginate_queryset(self, queryset, request, view=None):
        self.people = people_count(view.incident, jurisdiction=view.jurisdiction)
        return super().paginate_queryset(queryset, request, view)

    def get_count(self, queryset) -> int:
        return self.people


class IncidentRecipients(ListAPIView):
    """Affected people of an incident, with declared and identified counts per jurisdiction."""

    pagination_class = TalliedPeoplePagination

    def get_serializer_class(self):
        if self.request.user.has_perm("notifications.view_recipient_contact"):
            return RecipientContactSerializer
        return RecipientSerializer

    def get_queryset(self):
        incident = selectors.incident_get(user=self.request.user, ref=self.kwargs["ref"])
        self.incident = incident
        queryset = recipients_visible(user=self.request.user, incident=incident)
        self.jurisdiction = self.request.query_params.get("jurisdiction", "").upper()
        return queryset.filter(jurisdiction=self.jurisdiction) if self.jurisdiction else queryset

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if self.get_serializer_class() is RecipientContactSerializer:
            audit_export(actor=request.user, incident=self.incident, export="recipients",
                         rows=len(response.data["results"]), details={"query": request.GET.urlencode()[:200]})
        response.data["populations"] = population_counts(self.incident)
        return response


class IncidentRecipientImport(APIView):
    """Upload a CSV or JSON Lines file of affected people (multipart field ``file``)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=inline_serializer("RecipientImportUpload", {"file": serializers.FileField()}),
        responses=inline_serializer("RecipientImportSummary", {
            "imported": serializers.IntegerField(), "rejected": serializers.IntegerField(),
            "kept_with_warnings": serializers.IntegerField(), "per_jurisdiction": serializers.DictField(),
            "identified": serializers.DictField(), "rejects_csv": serializers.CharField(),
        }),
    )
    def post(self, request, ref: str):
        incident = selectors.incident_get(user=request.user, ref=ref)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Upload the CSV or JSON Lines file in the 'file' field."]})
        try:
            summary, rejects = recipients_import_upload(actor=request.user, incident=incident, upload=upload)
        except ImportFormatError as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        body = {**summary.as_dict(), "rejects_csv": rejects}
        body.pop("rejects_path")
        return Response(body, status=status.HTTP_201_CREATED if summary.imported else status.HTTP_200_OK)
