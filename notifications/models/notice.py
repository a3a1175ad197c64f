"""Notices: what an organisation tells one audience about a breach, versioned and approved by legal.

A ``Notice`` answers one or more obligations. Every edit makes a new
``NoticeVersion`` authored by whoever edited; approval belongs to one version
and records the SHA-256 of everything that version renders to. A
``RegulatorSubmission`` records that a regulator was actually given the notice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from incidents.fsm import condition
from incidents.models import Audience

__all__ = ["Notice", "NoticeStatus", "NoticeVersion", "RegulatorSubmission"]

APPROVE_PERMISSION = "notifications.approve_notice"
EDIT_PERMISSION = "notifications.change_notice"
SEND_PERMISSION = "notifications.send_notice"


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")


@condition("Every required element must be present and every channel within its limits before approval.")
def _checks_pass(notice: Notice) -> bool:
    return notice.checked_problems == []


@condition("Only notices to individuals are delivered to people; record a regulator submission instead.")
def _addressed_to_individuals(notice: Notice) -> bool:
    return notice.audience == Audience.INDIVIDUALS


@condition("Only legal approves or rejects notices, and never text they wrote since the last approval (four eyes).")
def _may_review(notice: Notice, user) -> bool:
    return user.has_perm(APPROVE_PERMISSION) and user.pk not in notice.authors_since_approval()


@condition("Only people who may edit notices change them.")
def _may_edit(notice: Notice, user) -> bool:
    return user.has_perm(EDIT_PERMISSION)


@condition("Only legal starts sending a notice.")
def _may_send(notice: Notice, user) -> bool:
    return user.has_perm(SEND_PERMISSION)


class Notice(ConcurrentTransitionMixin, models.Model):
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="notices")
    audience = models.CharField(max_length=40)
    jurisdictions = models.JSONField(default=list, help_text="Rule codes of the obligations it answers.")
    languages = models.JSONField(default=list, help_text="Django language codes; the first is the fallback.")
    channels = models.JSONField(default=list, help_text="email, sms, push, letter, announcement.")
    obligations = models.ManyToManyField("incidents.Obligation", related_name="notices", blank=True)
    status = FSMField(default=NoticeStatus.DRAFT, choices=NoticeStatus.choices, protected=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    TRANSITIONS = ("submit", "approve", "reject")
    # What the approval checks found in the current version, set by
    # ``notifications.notices.checks.notice_problems`` (they render every channel, which is the
    # notices package's work, not the model's). None until they ran: approval is then refused.
    checked_problems: list[str] | None = None

    class Meta:
        ordering = ["incident_id", "id"]
        permissions = [("approve_notice", "Can approve or reject a notice (legal)")]
        indexes = [models.Index(fields=["status"], name="notice_status")]

    def __str__(self) -> str:
        return f"{self.audience} notice {self.pk} ({', '.join(self.jurisdictions)})"

    # The newest version, read once per instance (``forget_current_version`` after adding one).
    _current_version: NoticeVersion | None = None

    @property
    def current_version(self) -> NoticeVersion:
        """The newest version. Drafting creates the first with the notice, so every notice has one."""
        cached = self._current_version
        if cached is None or cached.notice_id != self.pk:
            cached = self.versions.latest("number")
            self._current_version = cached
        return cached

    def authors_since_approval(self) -> dict[int, list[tuple[str, str]]]:
        """Return who wrote what changed since the last approved version: ``{user id: [(language, code)]}``.

        Each element's text carries the authors of every change since the approval (or since nothing,
        before the first), so polishing one character of someone else's text does not make it the
        polisher's alone; a change undone (the text back to an earlier one) takes back that text's authors.
        """
        versions = list(self.versions.order_by("number"))
        approved = [index for index, version in enumerate(versions[:-1]) if version.approved_at is not None]
        base = versions[approved[-1]] if approved else None
        history: dict[tuple[str, str], list[tuple[str, frozenset[int]]]] = {}
        previous = base
        for version in versions[approved[-1] + 1 if approved else 0:]:
            for key in version.element_keys() | (previous.element_keys() if previous else set()):
                states = history.setdefault(key, [(base.text(*key) if base else "", frozenset())])
                text = version.text(*key)
                if text != states[-1][0]:
                    earlier = next((authors for old, authors in states if old == text), None)
                    states.append((text, states[-1][1] | {version.author_id} if earlier is None else earlier))
            previous = version
        authors: dict[int, list[tuple[str, str]]] = {}
        for key, states in sorted(history.items()):
            for author in sorted(states[-1][1]):
                authors.setdefault(author, []).append(key)
        return authors

    def forget_current_version(self) -> None:
        self._current_version = None
        self.checked_problems = None

    def can_transition(self, name: str) -> bool:
        return getattr(self, name)._django_fsm.has_transition(self.status)

    @transition(field=status, source=NoticeStatus.DRAFT, target=NoticeStatus.IN_REVIEW, permission=_may_edit)
    def submit(self) -> None:
        """Hand the current version to legal for review."""

    @transition(field=status, source=NoticeStatus.IN_REVIEW, target=NoticeStatus.APPROVED,
                conditions=[_checks_pass], permission=_may_review)
    def approve(self) -> None:
        """Approve the current version; the service records its content hash."""

    @transition(field=status, source=NoticeStatus.IN_REVIEW, target=NoticeStatus.DRAFT, permission=_may_review)
    def reject(self) -> None:
        """Send the version back to its authors with legal's comment."""

    @transition(field=status, source=[NoticeStatus.IN_REVIEW, NoticeStatus.APPROVED], target=NoticeStatus.DRAFT,
                permission=_may_edit)
    def revise(self) -> None:
        """An edit during review or after approval: the new version needs approval again."""

    @transition(field=status, source=NoticeStatus.APPROVED, target=NoticeStatus.SENDING,
                conditions=[_addressed_to_individuals], permission=_may_send)
    def start_sending(self) -> None:
        """Deliveries were created; called by the sending service."""

    @transition(field=status, source=NoticeStatus.SENDING, target=NoticeStatus.SENT)
    def complete_sending(self) -> None:
        """No delivery is left open; called by the sending service."""


class NoticeVersion(models.Model):
    """One immutable text of a notice: ``elements`` is ``{language: {element code: text}}``.

    ``facts`` is the snapshot of incident and organisation facts the templates
    use, taken when the notice was drafted, so a version renders the same later.
    """

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    elements = models.JSONField(default=dict)
    facts = models.JSONField(default=dict)
    content_sha256 = models.CharField(max_length=64, blank=True, help_text="Set when legal approves this version.")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True, help_text="Legal's comment when rejecting this version.")

    class Meta:
        ordering = ["notice_id", "number"]
        constraints = [models.UniqueConstraint(fields=["notice", "number"], name="one_version_number_per_notice")]

    def __str__(self) -> str:
        return f"notice {self.notice_id} v{self.number}"

    def text(self, language: str, code: str) -> str:
        return (self.elements.get(language) or {}).get(code, "")

    def element_keys(self) -> set[tuple[str, str]]:
        return {(language, code) for language, texts in self.elements.items() for code in texts}


class RegulatorSubmission(models.Model):
    """A filing with an authority; the first one meets the obligation, later ones supplement it."""

    obligation = models.ForeignKey("incidents.Obligation", on_delete=models.PROTECT, related_name="submissions")
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions")
    version = models.ForeignKey(NoticeVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    channel = models.CharField(max_length=200, help_text="Portal, e-mail address, post...")
    reference = models.CharField(max_length=200, blank=True, help_text="The regulator's reference number.")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    supplementary = models.BooleanField(default=False, help_text="Information provided in phases (GDPR 33(4)).")
    note = models.TextField(blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    file_content = models.BinaryField(blank=True, default=b"")
    file_sha256 = models.CharField(max_length=64, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["obligation_id", "filed_at", "id"]

    def __str__(self) -> str:
        return f"{self.obligation} filed {self.filed_at:%Y-%m-%d %H:%M} ({self.reference or 'no reference'})"
