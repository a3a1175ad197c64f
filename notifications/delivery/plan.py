"""Which channels carry a notice to the people of each jurisdiction, and what follows a failure.

For every residence code among a notice's recipients the plan says:

- ``legal``: the channels that count as notice there, in the order the rule file
  lists them (its ``channels`` for the individuals duty), limited to the ones we
  deliver electronically and the notice was written for. Every one of them is
  used where the person has an address for it.
- ``alerts``: push and SMS sent alongside so the person actually sees the notice;
  they carry only the personal link. A failed alert has no consequence.
- ``fallback``: channels tried, in order, only once every legal delivery of a
  person has failed permanently (hard bounce, 21211 / 21610, unregistered token)
  or the person had no legal address at all. Empty unless configured.
- ``offline``: what remains when nothing electronic can: ``letter`` (a printed
  letter through a mail house) where the rule accepts post, else ``substitute``
  notice (website posting, media) under the rule's own conditions.

Without a rule for a residence code (or without the rule files) the default is
that e-mail is the legal channel for individuals everywhere with post as the
fallback, which is what every shipped rule allows. A notice's own plan
(``NoticeChannelPlan``) overrides any part of this per jurisdiction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.models import Audience
from incidents.rules.loader import load_rules
from notifications.models.delivery import NoticeChannelPlan

DELIVERABLE = ("email", "sms", "push")
ALERT_CHANNELS = ("push", "sms")
OFFLINE = ("letter", "substitute")
DEFAULT_KEY = "*"


@dataclass(frozen=True)
class JurisdictionPlan:
    jurisdiction: str
    legal: tuple[str, ...]
    alerts: tuple[str, ...]
    fallback: tuple[str, ...] = ()
    offline: str = "letter"
    substitute_notice: str = ""
    rules: tuple[str, ...] = ()

    @property
    def channels(self) -> tuple[str, ...]:
        """Channels used for everyone with an address, legal first."""
        return self.legal + tuple(channel for channel in self.alerts if channel not in self.legal)

    def counts_as_notice(self, channel: str) -> bool:
        return channel in self.legal

    def as_json(self) -> dict:
        data = asdict(self)
        return {key: list(value) if isinstance(value, tuple) else value for key, value in data.items()}


def _tuples(parts: dict) -> dict[str, Any]:
    """A plan's fields as JSON gives them, with its lists as the plan's tuples."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in parts.items()}


@dataclass(frozen=True)
class ChannelPlan:
    plans: dict[str, JurisdictionPlan]

    def for_jurisdiction(self, code: str) -> JurisdictionPlan:
        return self.plans.get(code) or self.plans[DEFAULT_KEY]

    def as_json(self) -> dict:
        return {code: plan.as_json() for code, plan in sorted(self.plans.items())}

    @classmethod
    def from_json(cls, data: dict) -> ChannelPlan:
        plans = {
            code: JurisdictionPlan(**_tuples(parts)) for code, parts in data.items()
        }
        return cls(plans=plans)


def _rule_duties(residence: str, rule_codes: list[str], today: date):
    """The rule duties towards individuals in force today for people living in ``residence``."""
    rules = load_rules()
    duties = []
    for code in rules.covering(residence):
        rule = rules.get(code)
        if rule is None or rule_codes and code not in rule_codes:
            continue
        if not (rule.effective_from <= today <= (rule.effective_to or date.max)):
            continue
        for duty in rule.duties:
            in_force = (duty.effective_from or date.min) <= today <= (duty.effective_to or date.max)
            if duty.audience == Audience.INDIVIDUALS and in_force:
                duties.append((code, duty))
    return duties


def default_plan(*, residence: str, notice_channels: list[str], rule_codes: list[str]) -> JurisdictionPlan:
    """The plan the rule files give for people living in ``residence`` (see the module docstring)."""
    duties = _rule_duties(residence, rule_codes, timezone.localdate())
    ruled: list[str] = []
    for _, duty in duties:
        ruled.extend(channel for channel in duty.channels if channel not in ruled)
    if not ruled:
        ruled = ["email", "post"]
    legal = tuple(channel for channel in ruled if channel in DELIVERABLE and channel in notice_channels)
    return JurisdictionPlan(
        jurisdiction=residence,
        legal=legal,
        alerts=tuple(channel for channel in ALERT_CHANNELS if channel in notice_channels and channel not in legal),
        offline="letter" if "post" in ruled else "substitute",
        substitute_notice=next((duty.substitute_notice for _, duty in duties if duty.substitute_notice), ""),
        rules=tuple(sorted({code for code, _ in duties})),
    )


def validate_overrides(overrides: dict) -> dict:
    """Check a notice's plan overrides: ``{"US-CA": {"legal": [...], "fallback": [...]}, "*": {...}}``.

    Raises ValidationError naming the jurisdiction and key. Returns the overrides.
    """
    if not isinstance(overrides, dict):
        raise ValidationError({"plan": "must be an object keyed by jurisdiction code"})
    for code, parts in overrides.items():
        if not isinstance(parts, dict):
            raise ValidationError({"plan": f"{code}: must be an object"})
        for key, value in parts.items():
            if key in ("legal", "alerts", "fallback"):
                if not isinstance(value, list) or any(channel not in DELIVERABLE for channel in value):
                    raise ValidationError({"plan": f"{code}.{key}: a list of {', '.join(DELIVERABLE)}"})
            elif key == "offline":
                if value not in OFFLINE:
                    raise ValidationError({"plan": f"{code}.offline: one of {', '.join(OFFLINE)}"})
            else:
                raise ValidationError({"plan": f"{code}.{key}: unknown key"})
    return overrides


def _apply(plan: JurisdictionPlan, parts: dict) -> JurisdictionPlan:
    return replace(plan, **_tuples(parts))


def build_plan(
    *, residences: list[str], notice_channels: list[str], rule_codes: list[str], overrides: dict | None = None
) -> ChannelPlan:
    """The plan for every residence code (plus the ``*`` default), with the notice's overrides applied."""
    overrides = overrides or {}
    plans: dict[str, JurisdictionPlan] = {}
    for code in sorted({*residences, DEFAULT_KEY}):
        plan = default_plan(residence=code, notice_channels=notice_channels, rule_codes=rule_codes)
        plan = _apply(plan, overrides.get(DEFAULT_KEY, {}))
        plans[code] = _apply(plan, overrides.get(code, {}))
    return ChannelPlan(plans=plans)


def plan_used(notice_id: int) -> ChannelPlan:
    """The channel plan frozen when the notice started sending."""
    used = NoticeChannelPlan.objects.filter(notice_id=notice_id).values_list("used", flat=True).first()
    return ChannelPlan.from_json(used or {})
