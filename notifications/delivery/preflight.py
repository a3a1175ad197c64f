"""What sending a notice would do, asked before anything is queued: per channel, whether it can
send and how many people it would reach; who would need a printed letter or substitute notice.

Counted from the people counts the database keeps per residence and channel flags (``PeopleTally``,
at most sixteen keys per jurisdiction), so nobody's contact details are decrypted and the cost does
not grow with the people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Sum

from notifications.channels.readiness import Readiness, channel_readiness
from notifications.delivery.plan import DELIVERABLE, ChannelPlan, JurisdictionPlan
from notifications.models import PeopleTally

_FLAGS = ("has_email", "has_sms", "has_push", "has_letter")


@dataclass
class ChannelCheck:
    readiness: Readiness
    people: int = 0
    legal_people: int = 0

    @property
    def channel(self) -> str:
        return self.readiness.channel

    @property
    def blocks(self) -> bool:
        """Not ready while somebody would be reached through it: sending must not start."""
        return not self.readiness.ready and self.people > 0


@dataclass
class Preflight:
    people: int = 0
    letters: int = 0
    substitute: int = 0
    channels: list[ChannelCheck] = field(default_factory=list)

    @property
    def blocking(self) -> list[ChannelCheck]:
        return [check for check in self.channels if check.blocks]


def _reach(plan: JurisdictionPlan, flags: dict[str, bool]) -> tuple[set[str], set[str], str]:
    """(channels used, channels that count as notice, "letter"/"substitute"/"") for one person,
    as ``sending.deliveries_create`` would plan them."""
    legal = {channel for channel in plan.legal if flags[f"has_{channel}"]}
    used = set(legal) | {channel for channel in plan.alerts if flags[f"has_{channel}"]}
    if legal:
        return used, legal, ""
    fallback = next((channel for channel in plan.fallback if flags[f"has_{channel}"]), None)
    if fallback:
        return used | {fallback}, {fallback}, ""
    offline = "letter" if plan.offline == "letter" and flags["has_letter"] else "substitute"
    return used, set(), offline


def plan_without(plan: ChannelPlan, channels: list[str]) -> ChannelPlan:
    """``plan`` with ``channels`` removed everywhere (skipped by the sender's explicit choice)."""
    def strip(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(channel for channel in values if channel not in channels)

    return ChannelPlan(plans={
        code: replace(part, legal=strip(part.legal), alerts=strip(part.alerts), fallback=strip(part.fallback))
        for code, part in plan.plans.items()
    })


def notice_preflight(*, incident_id: int, plan: ChannelPlan) -> Preflight:
    """Per channel of ``plan``: ready or not (and why), people reached, people legally reached;
    people left for a printed letter or for substitute notice."""
    rows = [
        row for row in PeopleTally.objects.filter(incident_id=incident_id).order_by()
        .values("jurisdiction", *_FLAGS).annotate(count=Sum("n")) if row["count"]
    ]
    people: dict[str, int] = defaultdict(int)
    legal_people: dict[str, int] = defaultdict(int)
    result = Preflight()
    for row in rows:
        used, legal, offline = _reach(plan.for_jurisdiction(row["jurisdiction"]), row)
        result.people += row["count"]
        for channel in used:
            people[channel] += row["count"]
        for channel in legal:
            legal_people[channel] += row["count"]
        if offline == "letter":
            result.letters += row["count"]
        elif offline:
            result.substitute += row["count"]
    planned = {channel for part in plan.plans.values() for channel in part.channels + part.fallback}
    result.channels = [
        ChannelCheck(channel_readiness(channel), people[channel], legal_people[channel])
        for channel in DELIVERABLE if channel in planned
    ]
    return result
