"""API shapes of notices, their versions and regulator submissions."""

from __future__ import annotations

from rest_framework import serializers

from incidents.serializers import OffsetDateTimeField
from notifications.models import Notice, NoticeVersion, RegulatorSubmission
from notifications.notices import checks, rendering
from notifications.notices.services import ELEMENT_MAX_LENGTH


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    incident = serializers.CharField(source="incident.ref")
    audience = serializers.CharField()
    jurisdictions = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    channels = serializers.ListField(child=serializers.CharField())
    obligations = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField()
    status = serializers.CharField()
    checklist = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()
    content_sha256 = serializers.SerializerMethodField()
    approved_sha256 = serializers.SerializerMethodField()
    approved_by = serializers.SerializerMethodField()
    approved_at = serializers.SerializerMethodField()
    review_comment = serializers.SerializerMethodField()
    elements = serializers.SerializerMethodField()

    def get_obligations(self, notice: Notice) -> list[int]:
        return [obligation.pk for obligation in notice.obligations.all()]

    def get_version(self, notice: Notice) -> int:
        return notice.current_version.number

    def get_checklist(self, notice: Notice) -> list[dict]:
        return [item.as_dict() for item in checks.version_checklist(notice.current_version)]

    def get_problems(self, notice: Notice) -> list[str]:
        return checks.notice_problems(notice)

    def get_content_sha256(self, notice: Notice) -> str:
        """The hash of what the current version renders to now (the approved one is ``approved_sha256``)."""
        return rendering.version_content_sha256(notice.current_version)

    def get_approved_sha256(self, notice: Notice) -> str:
        return notice.current_version.content_sha256

    def get_approved_by(self, notice: Notice) -> str | None:
        version = notice.current_version
        return version.approved_by.username if version.approved_by else None

    def get_approved_at(self, notice: Notice) -> str | None:
        version = notice.current_version
        return version.approved_at.isoformat() if version.approved_at else None

    def get_review_comment(self, notice: Notice) -> str:
        return notice.current_version.review_comment

    def get_elements(self, notice: Notice) -> dict:
        return notice.current_version.elements


class NoticeEditSerializer(serializers.Serializer):
    language = serializers.CharField(max_length=20)
    elements = serializers.DictField(child=serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=ELEMENT_MAX_LENGTH))


class NoticeTransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class NoticeVersionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")
    approved_by = serializers.CharField(source="approved_by.username", default=None)

    class Meta:
        model = NoticeVersion
        fields = ["number", "author", "created_at", "content_sha256", "approved_by", "approved_at",
                  "review_comment", "elements"]


class RegulatorSubmissionSerializer(serializers.ModelSerializer):
    filed_at = OffsetDateTimeField()
    filed_by = serializers.CharField(source="filed_by.username", read_only=True)
    file = serializers.FileField(write_only=True, required=False)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, default="")

    class Meta:
        model = RegulatorSubmission
        fields = ["id", "obligation", "filed_at", "channel", "reference", "filed_by", "supplementary", "note",
                  "file_name", "file_sha256", "file", "reason"]
        read_only_fields = ["id", "filed_by", "supplementary", "file_name", "file_sha256"]
