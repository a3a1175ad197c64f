"""What the counts the database keeps must equal: the same figures counted from the rows themselves."""

from __future__ import annotations

import collections

from django.db.models import Exists, OuterRef, Q

from notifications.delivery import evidence
from notifications.models import Delivery, Notice, Recipient
from notifications.models.delivery import FAILED_STATUSES, LIVE_STATUSES


def counted(notice: Notice) -> dict:
    """Every figure the pages show, counted row by row: per (channel, status), fallen back per channel,
    and per residence the people, those reached by no channel or by none that counts, letters, substitutes."""
    deliveries = Delivery.objects.filter(notice=notice)
    live = deliveries.filter(recipient=OuterRef("pk"), status__in=LIVE_STATUSES)
    reach = []
    codes = Recipient.objects.filter(incident_id=notice.incident_id).values_list("jurisdiction", flat=True)
    for code in sorted(set(codes)):
        persons = Recipient.objects.filter(incident_id=notice.incident_id, jurisdiction=code)
        flagged = deliveries.filter(recipient__jurisdiction=code)
        reach.append({
            "jurisdiction": code, "people": persons.count(), "unreachable": persons.exclude(Exists(live)).count(),
            "without_legal_notice": persons.exclude(Exists(live.filter(legal=True))).count(),
            "printed_letters": flagged.filter(needs_printed_letter=True).values("recipient").distinct().count(),
            "substitute_flagged": flagged.filter(substitute=True).values("recipient").distinct().count(),
        })
    handed_on = deliveries.filter(status__in=FAILED_STATUSES).filter(
        Q(needs_printed_letter=True) | Q(substitute=True) | Q(fallbacks__isnull=False)).distinct()
    return {
        "statuses": dict(collections.Counter(deliveries.values_list("channel", "status"))),
        "fallen_back": {channel: n for channel, n in collections.Counter(handed_on.values_list("channel", flat=True)).items()},
        "reach": reach,
    }


def kept(notice: Notice) -> dict:
    """The same figures as the pages read them, from the counts the database keeps."""
    channels = evidence.notice_delivery_summary(notice=notice)["channels"]
    return {
        "statuses": {(channel, status): n for channel, counts in channels.items() for status, n in counts.items() if n},
        "fallen_back": {row["channel"]: row["buckets"]["fallen_back"]
                        for row in evidence.notice_progress(notice=notice) if row["buckets"]["fallen_back"]},
        "reach": [{key: value for key, value in row.items() if key != "substitute_notice"}
                  for row in evidence.notice_reach(notice=notice)],
    }
