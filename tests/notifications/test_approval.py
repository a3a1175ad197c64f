"""Approval with four eyes, the content hash, versions and their diff, regulator submissions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_fsm import has_transition_perm

from incidents.errors import Conflict
from incidents.models import AuditEvent
from notifications.models import NoticeVersion
from notifications.notices import rendering, services
from notifications.notices.versions import version_diff
from tests.notifications.conftest import approved, complete


def test_legal_cannot_approve_their_own_edit(individual_notice, legal, second_legal):
    notice = complete(individual_notice, legal)
    notice = services.notice_transition(actor=legal, notice=notice, name="submit")
    with pytest.raises(PermissionDenied, match="four eyes"):
        services.notice_transition(actor=legal, notice=notice, name="approve")
    notice = services.notice_transition(actor=second_legal, notice=notice, name="approve")
    assert notice.status == "approved"
    assert notice.current_version.approved_by == second_legal


def _polish_one_character(notice, actor):
    """``actor`` changes one character of the cause, a text someone else wrote."""
    cause = notice.current_version.text("en", "cause")
    return services.notice_edit(actor=actor, notice=notice, language="en", elements={"cause": cause[:-1] + "!"})


def test_approving_a_version_one_character_away_from_ones_own_text_is_refused(
        individual_notice, legal, second_legal, admin_user):
    notice = _polish_one_character(complete(individual_notice, legal), second_legal)
    assert notice.current_version.author == second_legal
    notice = services.notice_transition(actor=second_legal, notice=notice, name="submit")
    for author in (legal, second_legal):
        with pytest.raises(PermissionDenied, match=r"You wrote part of what changed since the last approval \(The cause of the breach"):
            services.notice_transition(actor=author, notice=notice, name="approve")
        assert not has_transition_perm(notice.approve, author)
    notice = services.notice_transition(actor=admin_user, notice=notice, name="approve")
    assert notice.status == "approved"


def test_text_already_approved_does_not_bar_its_author_from_approving_later_changes(
        individual_notice, responder, legal, second_legal):
    notice = complete(individual_notice, legal)
    notice = services.notice_transition(actor=legal, notice=notice, name="submit")
    notice = services.notice_transition(actor=second_legal, notice=notice, name="approve")
    notice = services.notice_edit(actor=responder, notice=notice, language="en", elements={"measures_taken": "New."})
    notice = services.notice_transition(actor=responder, notice=notice, name="submit")
    assert notice.authors_since_approval() == {responder.pk: [("en", "measures_taken")]}
    notice = services.notice_transition(actor=legal, notice=notice, name="approve")
    assert notice.status == "approved"


def test_a_change_undone_before_review_leaves_no_authorship(individual_notice, responder, legal):
    notice = complete(individual_notice, responder)
    before = notice.current_version.text("en", "cause")
    notice = services.notice_edit(actor=legal, notice=notice, language="en", elements={"cause": "Legal's words."})
    notice = services.notice_edit(actor=responder, notice=notice, language="en", elements={"cause": before})
    assert legal.pk not in notice.authors_since_approval()
    notice = services.notice_transition(actor=responder, notice=notice, name="submit")
    assert services.notice_transition(actor=legal, notice=notice, name="approve").status == "approved"


def test_a_responder_cannot_approve_at_all(individual_notice, responder):
    notice = services.notice_transition(actor=responder, notice=complete(individual_notice, responder), name="submit")
    with pytest.raises(PermissionDenied, match="Only legal"):
        services.notice_transition(actor=responder, notice=notice, name="approve")
    assert not has_transition_perm(notice.approve, responder)


def test_rejection_needs_a_comment_and_returns_the_notice_to_draft(individual_notice, responder, legal):
    notice = services.notice_transition(actor=responder, notice=individual_notice, name="submit")
    with pytest.raises(ValidationError):
        services.notice_transition(actor=legal, notice=notice, name="reject", comment=" ")
    notice = services.notice_transition(actor=legal, notice=notice, name="reject", comment="Add the cause.")
    assert notice.status == "draft"
    assert notice.current_version.review_comment == "Add the cause."


def test_approval_records_the_hash_of_every_rendering_with_placeholders(individual_notice, responder, legal):
    notice = approved(individual_notice, responder, legal)
    version = notice.current_version
    assert version.content_sha256 == rendering.version_content_sha256(version)
    assert len(rendering.renderings(version)) == len(notice.channels) * len(notice.languages)
    assert rendering.version_matches_approval(version)
    event = AuditEvent.objects.filter(incident=notice.incident, action="notice.approve").get()
    assert event.payload["content_sha256"] == version.content_sha256
    assert (event.from_state, event.to_state) == ("in_review", "approved")


def test_content_changed_behind_the_approval_no_longer_matches(individual_notice, responder, legal):
    notice = approved(individual_notice, responder, legal)
    version = notice.current_version
    elements = version.elements
    elements["en"]["measures_taken"] += " Also something legal never saw."
    NoticeVersion.objects.filter(pk=version.pk).update(elements=elements)
    version.refresh_from_db()
    assert not rendering.version_matches_approval(version)


def test_personalisation_does_not_void_the_approval(individual_notice, responder, legal):
    notice = approved(individual_notice, responder, legal)
    version = notice.current_version
    rendering.render_message(version=version, channel="email", language="en",
                            recipient=rendering.sample_recipient(notice, "en"))
    assert rendering.version_matches_approval(version)


def test_editing_an_approved_notice_makes_a_new_version_that_needs_approval(individual_notice, responder, legal):
    notice = approved(individual_notice, responder, legal)
    approved_number = notice.current_version.number
    notice = services.notice_edit(actor=responder, notice=notice, language="en", elements={"measures_taken": "New."})
    assert notice.status == "draft"
    version = notice.current_version
    assert version.number == approved_number + 1 and version.author == responder
    assert not rendering.version_matches_approval(version)
    assert notice.versions.get(number=approved_number).approved_by == legal
    with pytest.raises(Conflict, match="draft"):
        services.notice_transition(actor=legal, notice=notice, name="approve")


def test_sending_is_refused_for_a_notice_to_a_regulator(eu_regulator_notice, responder, legal, admin_user):
    notice = approved(eu_regulator_notice, responder, legal)
    assert not has_transition_perm(notice.start_sending, admin_user)


def test_legal_sees_what_changed_between_versions(individual_notice, responder):
    notice = services.notice_edit(actor=responder, notice=individual_notice, language="en",
                                  elements={"measures_taken": "We deleted the snapshot.\nWe rotated keys."})
    diff = version_diff(old=notice.versions.get(number=1), new=notice.current_version)
    assert [(c["language"], c["code"]) for c in diff["changes"]] == [("en", "measures_taken")]
    assert "+We deleted the snapshot." in diff["changes"][0]["diff"]
    assert "-Public access revoked and credentials rotated." in diff["changes"][0]["diff"]


def test_every_step_is_in_the_audit_trail(individual_notice, responder, legal):
    approved(individual_notice, responder, legal)
    actions = list(AuditEvent.objects.filter(incident=individual_notice.incident, action__startswith="notice.")
                   .values_list("action", flat=True))
    assert actions[-3:] == ["notice.edited", "notice.submit", "notice.approve"]


def test_an_edit_after_sending_started_is_a_conflict(individual_notice, responder, legal):
    notice = approved(individual_notice, responder, legal)
    notice.start_sending()
    notice.save()
    with pytest.raises(Conflict):
        services.notice_edit(actor=responder, notice=notice, language="en", elements={"nature": "x"})


def test_a_regulator_submission_meets_the_obligation_and_later_ones_supplement_it(
        eu_regulator_notice, responder, legal):
    notice = approved(eu_regulator_notice, responder, legal)
    obligation = notice.obligations.get()
    filed_at = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)  # within the 72 hours
    first = services.regulator_submission_record(
        actor=legal, obligation=obligation, notice=notice, filed_at=filed_at, channel="BfDI portal",
        reference="BfDI-2026-123", file_name="report.pdf", file_content=b"%PDF-1.4 ...")
    obligation.refresh_from_db()
    assert obligation.status == "met" and obligation.met_at == filed_at
    assert not first.supplementary and len(first.file_sha256) == 64
    second = services.regulator_submission_record(
        actor=legal, obligation=obligation, notice=notice, filed_at=timezone.now(), channel="BfDI portal",
        reference="BfDI-2026-123", note="Phase 2: final numbers.")
    assert second.supplementary
    assert obligation.submissions.count() == 2
    assert AuditEvent.objects.filter(action="regulator_submission.recorded").count() == 2


def test_a_responder_cannot_record_a_submission(eu_regulator_notice, responder):
    with pytest.raises(PermissionDenied):
        services.regulator_submission_record(
            actor=responder, obligation=eu_regulator_notice.obligations.get(), filed_at=timezone.now(),
            channel="portal")


def test_a_late_filing_needs_the_reasons_for_the_delay(eu_regulator_notice, legal):
    with pytest.raises(ValidationError, match="reasons for the delay"):
        services.regulator_submission_record(
            actor=legal, obligation=eu_regulator_notice.obligations.get(), filed_at=timezone.now(), channel="portal")


def test_the_submissions_api_refuses_a_filing_time_without_an_offset(eu_regulator_notice, legal, api_as):
    response = api_as(legal).post(f"/api/notices/{eu_regulator_notice.pk}/submissions/", {
        "obligation": eu_regulator_notice.obligations.get().pk, "filed_at": "2026-03-29T12:00",
        "channel": "BfDI portal"}, format="json")
    assert response.status_code == 400 and "has no time zone offset" in " ".join(response.json()["filed_at"])
    assert not eu_regulator_notice.obligations.get().submissions.exists()
