"""Every write to a notice: draft, edit, submit, approve, reject, and regulator submissions.

Each service checks the actor's permission, locks the incident's row (the audit
chain's order) and the notice's, changes the rows and appends an audit event in
the same transaction. Sending belongs to ``notifications.delivery.sending``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.actors import Actor, may_transition, require_permission
from incidents.audit import AuditAction, audit_record
from incidents.errors import Conflict
from incidents.models import Audience, Incident, IncidentState, Obligation, ObligationStatus
from incidents.obligations import obligation_mark_met
from incidents.text import text_problem
from notifications.models.notice import (
    APPROVE_PERMISSION,
    EDIT_PERMISSION,
    Notice,
    NoticeStatus,
    NoticeVersion,
    RegulatorSubmission,
)
from notifications.models.recipient import Recipient
from notifications.notices import checks, drafting, languages, rendering, reports
from notifications.notices.requirements import (
    ALERT,
    ELEMENT_CODES,
    drafted_codes,
    element_label,
    element_requirements,
)

DRAFTABLE_STATES = (IncidentState.ASSESSED, IncidentState.REGULATORS_NOTIFIED, IncidentState.USERS_NOTIFIED)



def _lock(notice: Notice) -> tuple[Incident, Notice]:
    incident = Incident.objects.select_for_update().get(pk=notice.incident_id)
    return incident, Notice.objects.select_for_update().get(pk=notice.pk)


def _groups(obligations: list[Obligation]) -> list[list[Obligation]]:
    """One individual notice can answer every jurisdiction's duty to individuals (it carries the
    union of their content); every other duty is addressed to its own authority."""
    individuals = [o for o in obligations if o.audience == Audience.INDIVIDUALS]
    others = [[o] for o in obligations if o.audience != Audience.INDIVIDUALS]
    return ([individuals] if individuals else []) + others


def _languages(incident: Incident, group: list[Obligation]) -> list[str]:
    """A notice to people speaks the languages of the people imported (English always: the fallback), or,
    before anyone is, every language its readers may read (``languages.for_individuals``); a notice to an
    authority adds the authority's language where we write it."""
    if group[0].audience == Audience.INDIVIDUALS:
        readers = set(Recipient.objects.filter(incident=incident).values_list("language", flat=True).distinct())
        if readers:
            return languages.ordered(readers | {languages.ENGLISH})
        return languages.for_individuals(incident.affected_counts())
    return languages.for_authority(o.details.get("language", "") for o in group)


def _codes(audience: str, requirements, report: reports.Report | None) -> list[str]:
    """The elements a draft starts with; a report adds its items' elements, a sample copy is drafted as the
    residents' notice (without the SMS and push alert)."""
    sample = report is not None and report.sample_of_individual_notice
    codes = set(drafted_codes(audience=Audience.INDIVIDUALS if sample else audience, requirements=requirements))
    codes = codes - {ALERT} if sample else codes
    codes |= set(report.codes if report else ())
    return [code for code in ELEMENT_CODES if code in codes]


def _draft_one(*, actor: Actor, incident: Incident, group: list[Obligation]) -> Notice:
    audience = group[0].audience
    facts = drafting.incident_snapshot(incident, group)
    report = reports.BUILDERS.get(facts["report"])
    if report is not None and report.sample_of_individual_notice:
        facts["audience"] = "individuals"  # the sample copy speaks to the resident, as the notice it copies
    requirements = element_requirements(
        audience=audience, obligations=[("", list(o.content)) for o in group], facts=facts)
    written_in = _languages(incident, group)
    notice = Notice.objects.create(
        incident=incident, audience=audience, jurisdictions=sorted({o.jurisdiction for o in group}),
        languages=written_in, created_by_id=actor.pk,
        channels=drafting.INDIVIDUAL_CHANNELS if audience == Audience.INDIVIDUALS else drafting.ORGANISATION_CHANNELS,
    )
    notice.obligations.set(group)
    codes = _codes(audience, requirements, report)
    NoticeVersion.objects.create(
        notice=notice, number=1, author_id=actor.pk, facts=facts,
        elements=drafting.draft_elements(facts=facts, codes=codes, languages=written_in),
    )
    audit_record(
        actor=actor, action=AuditAction.NOTICE_DRAFTED, incident=incident, to_state=notice.status,
        payload={"notice": notice.pk, "audience": audience, "jurisdictions": notice.jurisdictions,
                 "obligations": [o.pk for o in group], "languages": written_in},
    )
    return notice


@transaction.atomic
def notices_draft(*, actor: Actor, incident: Incident) -> list[Notice]:
    """Draft a notice for every open obligation no notice answers yet and whose clock has started; return the
    new notices. A duty whose clock has not started (the California Attorney General's sample copy, once the
    residents are told; the CAC's closing report, once handling is closed) waits: it is written from facts
    not known yet.

    Raises Conflict before the incident is assessed (the facts are not settled) or once it is closed.
    """
    require_permission(actor, "notifications.add_notice")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.state not in DRAFTABLE_STATES:
        raise Conflict(f"Notices are drafted once {incident.ref} is assessed; it is {incident.get_state_display().lower()}.")
    open_obligations = list(
        incident.obligations.filter(applies=True, status__in=Obligation.UNFINISHED, notices__isnull=True)
        .exclude(clock_started_at=None).order_by("audience", "jurisdiction", "id")
    )
    return [_draft_one(actor=actor, incident=incident, group=group) for group in _groups(open_obligations)]


# The longest element text a notice may hold: several pages of a letter, far below what strains a rendering.
ELEMENT_MAX_LENGTH = 20_000


def _validate_edit(notice: Notice, language: str, elements: dict) -> None:
    errors: dict[str, list[str]] = {}
    if language not in notice.languages:
        errors["language"] = [f"This notice is written in {', '.join(notice.languages)}."]
    unknown = sorted(set(elements) - set(ELEMENT_CODES))
    if unknown:
        errors["elements"] = [f"Unknown element code(s): {', '.join(unknown)}."]
    for code, text in sorted(elements.items()):
        if not isinstance(text, str):
            errors.setdefault("elements", []).append(f"{code}: the text must be a string.")
        elif text_problem(text):
            errors.setdefault("elements", []).append(f"{code}: {text_problem(text)}.")
        elif len(text) > ELEMENT_MAX_LENGTH:
            errors.setdefault("elements", []).append(f"{code}: longer than {ELEMENT_MAX_LENGTH} characters.")
    if errors:
        raise ValidationError(errors)


def _line_breaks(text: str) -> str:
    """Line breaks as a browser sends them (CR LF) or an old editor writes them (CR), stored as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@transaction.atomic
def notice_edit(*, actor: Actor, notice: Notice, language: str, elements: dict[str, str]) -> Notice:
    """Replace the text of some elements in one language: a new version authored by ``actor``.

    An edit during review or after approval sends the notice back to draft: the new version
    needs approval again. Raises Conflict once sending has started.
    """
    require_permission(actor, EDIT_PERMISSION)
    language = rendering.normalise_language(language)
    incident, locked = _lock(notice)
    _validate_edit(locked, language, elements)
    elements = {code: _line_breaks(text) for code, text in elements.items()}
    if locked.status in (NoticeStatus.SENDING, NoticeStatus.SENT):
        raise Conflict("This notice is already being sent: draft a new notice instead of editing it.")
    previous = locked.current_version
    changed = sorted(code for code, text in elements.items() if previous.text(language, code) != text)
    if not changed:
        return locked
    texts = {lang: dict(values) for lang, values in previous.elements.items()}
    texts.setdefault(language, {}).update(elements)
    version = NoticeVersion.objects.create(
        notice=locked, number=previous.number + 1, author_id=actor.pk, elements=texts, facts=previous.facts)
    source = locked.status
    if locked.can_transition("revise"):
        locked.revise()
        locked.save()
    locked.forget_current_version()
    audit_record(
        actor=actor, action=AuditAction.NOTICE_EDITED, incident=incident, from_state=source, to_state=locked.status,
        payload={"notice": locked.pk, "version": version.number, "language": language, "elements": changed},
    )
    return locked


def _refuse_review(actor, notice: Notice, name: str) -> None:
    if not actor.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied(f"Only legal may {name} notices.")
    written = notice.authors_since_approval().get(actor.pk)
    if written:
        elements = ", ".join(f"{element_label(code)} ({language})" for language, code in written)
        raise PermissionDenied(
            f"You wrote part of what changed since the last approval ({elements}): another legal approver "
            f"must {name} this notice (four eyes)."
        )


def _transition_checks(*, actor: Actor, notice: Notice, name: str, comment: str) -> None:
    """Raise the specific refusal: unknown name or state (Conflict), role or authorship (403),
    unmet content checks (Conflict naming each problem), a rejection without comment (400)."""
    if name not in Notice.TRANSITIONS:
        raise Conflict(f"Unknown transition {name!r}; the transitions are: {', '.join(Notice.TRANSITIONS)}.")
    if not notice.can_transition(name):
        raise Conflict(f"Cannot {name} notice {notice.pk}: it is {notice.get_status_display().lower()}.")
    if name in ("approve", "reject"):
        _refuse_review(actor, notice, name)
    if name == "approve" and checks.notice_problems(notice):
        raise Conflict("Approval refused. " + " ".join(checks.notice_problems(notice)))
    if name == "reject" and not comment.strip():
        raise ValidationError({"comment": ["Say what must change: the authors see this comment."]})
    if not may_transition(getattr(notice, name), actor):
        raise PermissionDenied(f"You may not {name} this notice.")


@transaction.atomic
def notice_transition(*, actor: Actor, notice: Notice, name: str, comment: str = "") -> Notice:
    """Submit, approve or reject the notice's current version.

    1. Lock the incident and the notice; refuse with the specific reason (see ``_transition_checks``).
    2. Approve records the SHA-256 of every rendering of the version, with who and when.
    3. Reject keeps legal's comment on the version.
    4. The transition, the version's record and the audit event commit together.
    """
    incident, locked = _lock(notice)
    _transition_checks(actor=actor, notice=locked, name=name, comment=comment)
    version, source = locked.current_version, locked.status
    getattr(locked, name)()
    payload: dict[str, int | str] = {"notice": locked.pk, "version": version.number}
    if name == "approve":
        version.content_sha256 = rendering.version_content_sha256(version)
        version.approved_by_id, version.approved_at = actor.pk, timezone.now()
        version.save(update_fields=["content_sha256", "approved_by", "approved_at"])
        payload["content_sha256"] = version.content_sha256
    if name == "reject":
        version.review_comment = comment.strip()
        version.save(update_fields=["review_comment"])
        payload["comment"] = version.review_comment
    locked.save()
    audit_record(actor=actor, action=AuditAction(f"notice.{name}"), incident=incident, from_state=source,
                 to_state=locked.status, payload=payload)
    return locked


def _submission_errors(obligation: Obligation, notice: Notice | None, filed_at: datetime, channel: str) -> dict:
    errors: dict[str, list[str]] = {}
    if obligation.audience == Audience.INDIVIDUALS:
        errors["obligation"] = ["Notices to individuals are recorded by sending them, not as a submission."]
    if notice is not None and not notice.obligations.filter(pk=obligation.pk).exists():
        errors["notice"] = ["This notice does not answer that obligation."]
    if timezone.is_naive(filed_at):
        errors["filed_at"] = ["filed_at needs a time zone offset."]
    elif filed_at > timezone.now():
        errors["filed_at"] = ["A submission cannot be filed in the future."]
    if not channel.strip():
        errors["channel"] = ["Say how it was filed: the portal, e-mail address or postal address."]
    return errors


@transaction.atomic
def regulator_submission_record(
    *, actor: Actor, obligation: Obligation, filed_at: datetime, channel: str, reference: str = "",
    notice: Notice | None = None, file_name: str = "", file_content: bytes = b"", note: str = "", reason: str = "",
) -> RegulatorSubmission:
    """Record a filing with an authority; the first marks the obligation met, later ones supplement it.

    ``reason`` explains a late filing (GDPR Art. 33(1)); ValidationError when it is late without one.
    """
    require_permission(actor, "notifications.add_regulatorsubmission")
    incident = Incident.objects.select_for_update().get(pk=obligation.incident_id)
    obligation = Obligation.objects.get(pk=obligation.pk)
    errors = _submission_errors(obligation, notice, filed_at, channel)
    if errors:
        raise ValidationError(errors)
    supplementary = obligation.submissions.exists() or obligation.status == ObligationStatus.MET
    submission = RegulatorSubmission.objects.create(
        obligation=obligation, notice=notice, version=notice.current_version if notice else None,
        filed_at=filed_at, channel=channel.strip(), reference=reference.strip(), filed_by_id=actor.pk,
        supplementary=supplementary, note=note.strip(), file_name=file_name, file_content=file_content,
        file_sha256=hashlib.sha256(file_content).hexdigest() if file_content else "",
    )
    audit_record(
        actor=actor, action=AuditAction.REGULATOR_SUBMISSION_RECORDED, incident=incident,
        payload={"submission": submission.pk, "obligation": obligation.pk, "authority": obligation.authority,
                 "filed_at": filed_at, "channel": submission.channel, "reference": submission.reference,
                 "supplementary": supplementary, "file_name": file_name, "file_sha256": submission.file_sha256},
    )
    if not supplementary:
        obligation_mark_met(actor=actor, obligation=obligation, met_at=filed_at, reason=reason)
    return submission
