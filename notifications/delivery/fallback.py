"""What happens to a person whose legal channel failed for good: the next channel, a letter, or substitute notice."""

from __future__ import annotations

from notifications.delivery import queue
from notifications.delivery.plan import ChannelPlan, JurisdictionPlan, plan_used
from notifications.models import Delivery
from notifications.models.delivery import FAILED_STATUSES, LIVE_STATUSES


def _next_channel(failed: Delivery, plan: JurisdictionPlan, taken: set[str]) -> str | None:
    """The first fallback channel after the failed one on which the person has an address and no delivery."""
    ladder = list(plan.fallback)
    start = ladder.index(failed.channel) + 1 if failed.channel in ladder else 0
    recipient = failed.recipient
    for channel in ladder[start:]:
        if channel not in taken and getattr(recipient, f"has_{channel}", False):
            return channel
    return None


def _still_reached(failed: Delivery) -> bool:
    """Whether another delivery that counts as notice is still alive for this person and version."""
    return (
        Delivery.objects.filter(version_id=failed.version_id, recipient_id=failed.recipient_id, legal=True)
        .filter(status__in=LIVE_STATUSES)
        .exclude(pk=failed.pk)
        .exists()
    )


def deliveries_fall_back(*, failed_ids: list[int]) -> list[int]:
    """Follow the plan for deliveries that failed permanently; return the ids of new deliveries.

    For each failed delivery that counted as notice (a legal channel or an earlier
    fallback) whose person has no other live legal delivery of the version:
    1. queue the next fallback channel the person has an address for, pointing back
       at the failed delivery (``fallback_of``);
    2. unless that channel itself counts as notice, flag the failed delivery:
       ``needs_printed_letter`` when the plan's offline step is a letter and the
       person has a postal address, else ``substitute``;
    3. mark the failed delivery ``handed_on`` when a fallback channel took over (the
       progress bars count it as fallen back, not failed).
    New rows are queued to the workers after the surrounding transaction commits.
    """
    plans: dict[int, ChannelPlan] = {}
    created: list[int] = []
    failed_rows = Delivery.objects.filter(pk__in=failed_ids).select_related("recipient").order_by("id")
    for failed in failed_rows:
        counted = failed.legal or failed.fallback_of_id
        if not counted or failed.status not in FAILED_STATUSES or _still_reached(failed):
            continue
        if failed.notice_id not in plans:
            plans[failed.notice_id] = plan_used(failed.notice_id)
        plan = plans[failed.notice_id].for_jurisdiction(failed.recipient.jurisdiction)
        taken = set(
            Delivery.objects.filter(version_id=failed.version_id, recipient_id=failed.recipient_id)
            .values_list("channel", flat=True)
        )
        channel = _next_channel(failed, plan, taken)
        handed_on = {}
        if channel is not None:
            created.append(_create_fallback(failed, channel, legal=plan.counts_as_notice(channel)))
            handed_on = {"handed_on": True}
        if channel is None or not plan.counts_as_notice(channel):
            letter = plan.offline == "letter" and failed.recipient.has_letter
            handed_on.update(needs_printed_letter=letter, substitute=not letter)
        if handed_on:
            Delivery.objects.filter(pk=failed.pk).update(**handed_on)
    if created:
        queue.deliveries_send_later(created)
    return created


def _create_fallback(failed: Delivery, channel: str, *, legal: bool) -> int:
    return Delivery.objects.create(
        notice_id=failed.notice_id,
        version_id=failed.version_id,
        recipient_id=failed.recipient_id,
        channel=channel,
        language=failed.language,
        legal=legal,
        fallback_of=failed,
    ).pk
