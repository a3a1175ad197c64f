"""Sending an approved notice: its channel plan, and one Delivery per (version, person, channel).

``notice_send`` writes every delivery row in the transaction that marks the
notice sending, with set-based SQL (one ``INSERT ... SELECT ... ON CONFLICT DO
NOTHING`` per jurisdiction group and channel, selecting people by their
channel flags so nobody is decrypted), and queues the workers only after that
transaction commits. The unique (version, person, channel) constraint and the
notice's own state make a second call a no-op.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from incidents.actors import Actor, may_transition, require_permission
from incidents.audit import AuditAction, audit_record
from incidents.errors import Conflict
from incidents.models import Audience, Incident, OrganisationProfile
from notifications.channels.routing import DEFAULT_ROUTE, route_country
from notifications.delivery import preflight, queue
from notifications.delivery.plan import DELIVERABLE, ChannelPlan, build_plan, validate_overrides
from notifications.models import Delivery, DeliveryStatus, Notice, NoticeStatus, PeopleTally, Recipient
from notifications.models.delivery import NoticeChannelPlan
from notifications.notices import rendering

SEND_PERMISSION = "notifications.send_notice"


def notice_channel_plan(*, notice: Notice) -> ChannelPlan:
    """The plan the notice would be sent with now: rules, then the notice's overrides."""
    residences = [
        code for code, people in PeopleTally.objects.filter(incident_id=notice.incident_id).order_by()
        .values_list("jurisdiction").annotate(people=Sum("n")) if people
    ]
    overrides = NoticeChannelPlan.objects.filter(notice=notice).values_list("overrides", flat=True).first()
    return build_plan(
        residences=list(residences),
        notice_channels=list(notice.channels),
        rule_codes=list(notice.jurisdictions or []),
        overrides=overrides or {},
    )


def notice_plan_view(*, notice: Notice) -> dict:
    """The plan to show before sending (rules plus overrides) or, once sending, the frozen one."""
    stored = NoticeChannelPlan.objects.filter(notice=notice).first()
    frozen = notice.status in (NoticeStatus.SENDING, NoticeStatus.SENT) and stored is not None and bool(stored.used)
    plan = stored.used if frozen and stored is not None else notice_channel_plan(notice=notice).as_json()
    return {
        "notice": notice.pk, "status": notice.status, "frozen": frozen,
        "overrides": stored.overrides if stored else {}, "jurisdictions": plan,
        "sms_providers": sms_provider_counts(notice=notice) if "sms" in notice.channels else {},
    }


def sms_provider_counts(*, notice: Notice) -> dict[str, int]:
    """How many people with a phone each SMS provider gets first, by the routing table.

    Counted by residence (phones are sealed, so their prefixes are not read here): people living in a
    route's country go to its first provider, everyone else to Twilio.
    """
    first_choice = {route_country(route): route["providers"][0] for route in OrganisationProfile.current().sms_routes}
    rows = (
        PeopleTally.objects.filter(incident_id=notice.incident_id, has_sms=True)
        .order_by().values_list("jurisdiction").annotate(people=Sum("n"))
    )
    counts: dict[str, int] = {}
    for code, people in rows:
        if people:
            provider = first_choice.get(code.split("-")[0], DEFAULT_ROUTE[0])
            counts[provider] = counts.get(provider, 0) + people
    return counts


def notice_plan_update(*, actor: Actor, notice: Notice, overrides: dict) -> NoticeChannelPlan:
    """Replace the notice's plan overrides (before sending only); audited."""
    require_permission(actor, SEND_PERMISSION)
    validate_overrides(overrides)
    with transaction.atomic():
        Incident.objects.select_for_update().get(pk=notice.incident_id)
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.status in (NoticeStatus.SENDING, NoticeStatus.SENT):
            raise Conflict("The notice is already being sent: its channel plan can no longer change.")
        plan, _ = NoticeChannelPlan.objects.update_or_create(
            notice=notice, defaults={"overrides": overrides, "updated_at": timezone.now()}
        )
        audit_record(
            actor=actor, action=AuditAction.NOTICE_CHANNEL_PLAN_CHANGED, incident=notice.incident,
            payload={"notice": notice.pk, "overrides": overrides},
        )
    return plan


def _skipped(*, notice: Notice, plan: ChannelPlan, force_skip: list[str]) -> dict[str, str]:
    """Refuse (Conflict naming them) when a channel that cannot send would reach somebody and the
    sender did not choose to skip it; return the skipped channels with the reason each could not send."""
    unknown = sorted(set(force_skip) - set(DELIVERABLE))
    if unknown:
        raise ValidationError({"force_skip": f"unknown channel(s): {', '.join(unknown)}"})
    checks = preflight.notice_preflight(incident_id=notice.incident_id, plan=plan)
    refused = [check for check in checks.blocking if check.channel not in force_skip]
    if refused:
        raise Conflict(
            "Not sent: " + " ".join(
                f"{check.channel} would reach {check.people} {'person' if check.people == 1 else 'people'} "
                f"but cannot send: {check.readiness.detail}"
                for check in refused
            ) + " Configure the channel, or skip it explicitly (force_skip).",
            extra={"unconfigured_channels": [
                {"channel": check.channel, "people": check.people, "reason": check.readiness.detail}
                for check in refused
            ]},
        )
    return {
        check.channel: check.readiness.detail for check in checks.channels
        if check.channel in force_skip and not check.readiness.ready
    }


def notice_send(
    *, actor: Actor, notice: Notice, force_skip: list[str] | tuple[str, ...] = (),
    progress: Callable[..., None] | None = None,
) -> Notice:
    """Start sending an approved notice; return it. Idempotent.

    1. Check the permission; a notice already sending or sent is returned as is (dispatched
       again if none of its deliveries was attempted yet).
    2. Ask every channel of the plan whether it can send (outside the transaction: it may probe
       the SMTP server). One that cannot while it would reach somebody refuses the send
       (Conflict naming it, with ``unconfigured_channels``) unless it is in ``force_skip``;
       skipped channels leave the plan.
    3. Refuse (Conflict) unless it is approved and its content still matches the approval.
    4. approved -> sending, the deliveries, the frozen plan and the audit event (with the
       skipped channels and why), in one transaction; ``progress`` follows the statements that
       write the deliveries (``deliveries_create``).
    5. After commit, queue the dispatcher, which queues the batches.
    """
    require_permission(actor, SEND_PERMISSION)
    checked = Notice.objects.get(pk=notice.pk)
    plan: ChannelPlan | None = None
    skipped: dict[str, str] = {}
    if checked.status == NoticeStatus.APPROVED and checked.audience == Audience.INDIVIDUALS:
        full_plan = notice_channel_plan(notice=checked)
        skipped = _skipped(notice=checked, plan=full_plan, force_skip=list(force_skip))
        plan = preflight.plan_without(full_plan, list(skipped))
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=notice.incident_id)
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.status in (NoticeStatus.SENDING, NoticeStatus.SENT):
            if notice.status == NoticeStatus.SENDING and not Delivery.objects.filter(notice=notice, attempts__gt=0).exists():
                # Nothing started yet: the first dispatch may have been lost with its process. Claims
                # make a second dispatch harmless.
                queue.notice_dispatch_later(notice_id=notice.pk)
            return notice
        if notice.status != NoticeStatus.APPROVED:
            raise Conflict(f"Only an approved notice can be sent; this one is {notice.status}.")
        if notice.audience != Audience.INDIVIDUALS:
            raise Conflict(
                f"This notice is addressed to the {notice.audience}, not to affected people: file it with the "
                "authority (its submission record) instead of sending it."
            )
        if plan is None:
            raise Conflict("The notice was approved while sending was being prepared: send it again.")
        version = notice.current_version
        if not rendering.version_matches_approval(version):
            raise Conflict("The notice's content no longer matches what legal approved: approve it again.")
        if not may_transition(notice.start_sending, actor):
            raise PermissionDenied("You may not start sending this notice.")
        notice.start_sending()
        notice.save()
        counts = deliveries_create(notice=notice, version=version, plan=plan, progress=progress)
        NoticeChannelPlan.objects.update_or_create(notice=notice, defaults={"used": plan.as_json()})
        audit_record(
            actor=actor, action=AuditAction.NOTICE_SENDING_STARTED, incident=incident, from_state=NoticeStatus.APPROVED,
            to_state=NoticeStatus.SENDING, payload={
                "notice": notice.pk, "version": version.number, "deliveries": counts, "skipped_channels": skipped,
            },
        )
        queue.notice_dispatch_later(notice_id=notice.pk)
    return notice


def _groups(plan: ChannelPlan) -> dict[tuple, list[str]]:
    """Residence codes that share the same plan, so each group costs one statement per channel."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for code, jurisdiction_plan in plan.plans.items():
        key = (jurisdiction_plan.legal, jurisdiction_plan.alerts, jurisdiction_plan.fallback, jurisdiction_plan.offline)
        groups[key].append(code)
    return groups


_INSERT = """
INSERT INTO {delivery} (notice_id, version_id, recipient_id, channel, language, legal, status, attempts,
    next_attempt_at, queued_at, provider_id, error_code, error_text, finished_at, needs_printed_letter,
    substitute, fallback_of_id)
SELECT %s, %s, r.id, %s, CASE WHEN r.language IN ({languages}) THEN r.language ELSE %s END, %s, %s, 0,
    %s, %s, '', %s, %s, %s, {letter}, {substitute}, {fallback_of}
FROM {recipient} r
WHERE r.incident_id = %s AND r.jurisdiction IN ({codes}) AND {condition}
ON CONFLICT DO NOTHING
"""


def _any(channels: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"r.has_{channel}" for channel in channels) + ")" if channels else "(1 = 0)"


class _Inserter:
    """Builds and runs the INSERT ... SELECT statements of one notice version."""

    def __init__(self, notice: Notice, version) -> None:
        self.notice, self.version, self.now = notice, version, timezone.now()
        self.languages = [language.lower() for language in (notice.languages or ["en"])]
        self.delivery, self.recipient = Delivery._meta.db_table, Recipient._meta.db_table

    def run(self, codes: list[str], channel: str, *, condition: str, legal: bool, failed: str = "",
            offline: str = "", fallback: bool = False) -> int:
        if offline == "letter":
            letter, substitute = "r.has_letter", "NOT r.has_letter"
        else:
            letter, substitute = ("%s", "%s")
        # Table names come from model metadata and conditions from plan channels checked
        # against DELIVERABLE; every value is a parameter.
        fallback_of = (
            f"(SELECT d.id FROM {self.delivery} d WHERE d.version_id = %s AND d.recipient_id = r.id "  # noqa: S608
            "AND d.error_code = 'no_address')" if fallback else "NULL"
        )
        sql = _INSERT.format(
            delivery=self.delivery, recipient=self.recipient, languages=", ".join(["%s"] * len(self.languages)),
            codes=", ".join(["%s"] * len(codes)), condition=condition, letter=letter, substitute=substitute,
            fallback_of=fallback_of,
        )
        params = [self.notice.pk, self.version.pk, channel, *self.languages, self.languages[0], legal,
                  DeliveryStatus.FAILED if failed else DeliveryStatus.QUEUED, self.now, self.now, "no_address" if failed else "", failed,
                  self.now if failed else None]
        if offline != "letter":
            params += [False, bool(failed)]
        if fallback:
            params.append(self.version.pk)
        params += [self.notice.incident_id, *codes]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return max(cursor.rowcount, 0)


def _statements(plan: ChannelPlan) -> list[tuple[str, list[str], str, dict]]:
    """The INSERT ... SELECT statements of ``plan``, as (kind counted, codes, channel, options), in order."""
    statements = []
    for (legal, alerts, fallback, offline), codes in _groups(plan).items():
        statements += [(channel, codes, channel, {"condition": f"r.has_{channel}", "legal": True}) for channel in legal]
        statements.append(("no_address", codes, legal[0] if legal else "email", {
            "condition": f"NOT {_any(legal)}", "legal": True, "offline": offline,
            "failed": "No channel that counts as notice in this jurisdiction reaches the person.",
        }))
        for index, channel in enumerate(fallback):
            condition = f"r.has_{channel} AND NOT {_any(legal)} AND NOT {_any(fallback[:index])}"
            statements.append((channel, codes, channel, {
                "condition": condition, "legal": channel in legal, "fallback": True}))
        statements += [(channel, codes, channel, {"condition": f"r.has_{channel}", "legal": False}) for channel in alerts]
    return statements


def deliveries_create(
    *, notice: Notice, version, plan: ChannelPlan, progress: Callable[..., None] | None = None
) -> dict[str, int]:
    """Insert every delivery of ``version`` following ``plan``; return how many rows per kind.

    Per group of jurisdictions: the legal channels, then a failed ``no_address``
    row (flagged for a letter or substitute notice) for people no legal channel
    reaches, then the first fallback channel that reaches them, then the alerts.
    ``progress``, when given, is told after each statement how many of them ran (of ``total``) and
    the rows written so far.
    """
    inserter, counts = _Inserter(notice, version), defaultdict[str, int](int)
    statements = _statements(plan)
    for done, (kind, codes, channel, options) in enumerate(statements, 1):
        counts[kind] += inserter.run(codes, channel, **options)
        if progress is not None:
            progress(done, f"{sum(counts.values()):,} deliveries", total=len(statements))
    return dict(counts)
