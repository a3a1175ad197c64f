"""Admin: read-only views of notices, their versions and submissions; provider SMS templates.

Notices change only through the services (versions, approval hash, audit), so
the admin shows them and changes nothing. Provider SMS templates are the
organisation's record of what it registered with Alibaba Cloud and Tencent
Cloud, kept here by an admin (Django's admin log records each change).
"""

from django.contrib import admin

from incidents.admin import ReadOnlyAdmin
from notifications.models import Notice, NoticeVersion, ProviderTemplate, RegulatorSubmission


class NoticeVersionInline(admin.TabularInline):
    model = NoticeVersion
    fields = readonly_fields = (
        "number", "author", "created_at", "content_sha256", "approved_by", "approved_at", "review_comment")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["id", "incident", "audience", "status", "created_at"]
    list_filter = ["status", "audience"]
    search_fields = ["incident__ref"]
    inlines = [NoticeVersionInline]


@admin.register(RegulatorSubmission)
class RegulatorSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["id", "obligation", "filed_at", "channel", "reference", "supplementary", "filed_by"]
    exclude = ["file_content"]


@admin.register(ProviderTemplate)
class ProviderTemplateAdmin(admin.ModelAdmin):
    """Templates as registered with Alibaba Cloud or Tencent Cloud; saving checks their variables."""

    list_display = ["provider", "code", "language", "status", "updated_at"]
    list_filter = ["provider", "language", "status"]
    search_fields = ["code", "text"]
