"""Admin: read-only views of notices, their versions and submissions.

Notices change only through the services (versions, approval hash, audit), so
the admin shows them and changes nothing.
"""

from django.contrib import admin

from incidents.admin import ReadOnlyAdmin
from notifications.models import Notice, NoticeVersion, RegulatorSubmission


class NoticeVersionInline(admin.TabularInline):
    model = NoticeVersion
    fields = ["number", "author", "created_at", "content_sha256", "approved_by", "approved_at", "review_comment"]
    readonly_fields = fields
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
