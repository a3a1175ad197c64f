"""Reads of notices that check the reader's permission."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents.models import Obligation
from incidents.selectors import incident_not_required
from notifications.models import Notice
from notifications.notices.services import DRAFTABLE_STATES

VIEW_PERMISSION = "notifications.view_notice"


def notices_require_view(*, user) -> None:
    if not user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied(f"You need the permission {VIEW_PERMISSION!r} to see notices.")


def notice_get(*, user, pk: int) -> Notice:
    notices_require_view(user=user)
    return get_object_or_404(Notice.objects.select_related("incident"), pk=pk)


def notices_draft_nothing_reasons(*, incident) -> list[str]:
    """Why drafting made no notice, in sentences: duties that already have one, duties met or exempt,
    duties the facts no longer call for (with the rules engine's reason), or no duty at all."""
    duties = list(incident.obligations.annotate(answered=Count("notices")).order_by("jurisdiction", "audience"))
    if not duties:
        return [_("The rules engine found no duty to notify anyone for these facts.")]
    reasons = []
    covered = [duty for duty in duties if duty.applies and duty.status in Obligation.UNFINISHED and duty.answered]
    if covered:
        reasons.append(ngettext("%(count)s open duty already has its notice.",
                                "%(count)s open duties already have their notice.", len(covered)) % {"count": len(covered)})
    finished = [duty for duty in duties if duty.applies and duty.status not in Obligation.UNFINISHED]
    if finished:
        reasons.append(ngettext("%(count)s duty is already met or exempt.", "%(count)s duties are already met or exempt.",
                                len(finished)) % {"count": len(finished)})
    withdrawn = [duty for duty in duties if not duty.applies]
    if withdrawn:
        not_required = incident_not_required(incident=incident)
        for duty in withdrawn:
            why = not_required.get((duty.jurisdiction, duty.audience, duty.authority))
            reasons.append(_("%(duty)s is no longer required: %(reason)s") % {
                "duty": f"{duty.jurisdiction} · {duty.get_audience_display()}",
                "reason": why.reason if why else _("the facts no longer call for it")})
    return reasons


def notices_redraft(*, incident) -> dict:
    """Once notices were drafted, the duties none answers (an import or an edit added them): ``new``, those
    drafting would add now, each with the notices of its audience that do not cover it, and ``waiting``,
    those drafted only once their clock starts. Empty before the first draft and when drafting is closed."""
    if incident.state not in DRAFTABLE_STATES:
        return {}
    notices = list(incident.notices.order_by("pk"))
    if not notices:
        return {}
    duties = incident.obligations.filter(
        applies=True, status__in=Obligation.UNFINISHED, notices__isnull=True).order_by("audience", "jurisdiction", "id")
    return {
        "new": [(duty, [notice for notice in notices if notice.audience == duty.audience])
                for duty in duties if duty.clock_started_at is not None],
        "waiting": [duty for duty in duties if duty.clock_started_at is None],
    }
