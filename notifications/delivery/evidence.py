"""What the organisation can show about a notice's delivery: live counts, reach, and the ledger as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import Q, QuerySet, Sum

from incidents.spreadsheet import neutralise
from notifications.delivery.plan import plan_used
from notifications.models import (
    Delivery,
    DeliveryStatus,
    DeliveryTally,
    Notice,
    NoticeStatus,
    PeopleTally,
    ReachTally,
)
from notifications.models.delivery import FAILED_STATUSES

STATUSES = [status.value for status in DeliveryStatus]
CHANNELS = ("email", "sms", "push")

CSV_COLUMNS = [
    "delivery_id", "notice_id", "version", "recipient_external_id", "jurisdiction", "channel", "legal",
    "status", "attempts", "provider_id", "error_code", "error_text", "queued_at", "sent_at", "finished_at",
    "fallback_of", "needs_printed_letter", "substitute",
]


def _tallies(notice: Notice) -> QuerySet[DeliveryTally]:
    return DeliveryTally.objects.filter(notice=notice).order_by()


def notice_delivery_summary(*, notice: Notice) -> dict:
    """``{"notice": id, "status": ..., "channels": {channel: {status: count for every status}}}``.

    Read from the counts the database keeps (``DeliveryTally``): one small query however many
    people the notice has."""
    channels = {
        channel: dict.fromkeys(STATUSES, 0) for channel in CHANNELS if channel in (notice.channels or CHANNELS)
    }
    for channel, status, count in _tallies(notice).values_list("channel", "status").annotate(count=Sum("n")):
        if count:
            channels.setdefault(channel, dict.fromkeys(STATUSES, 0))[status] = count
    return {"notice": notice.pk, "status": notice.status, "channels": channels}


PROGRESS_BUCKETS = ("queued", "sending", "sent", "delivered", "failed", "fallen_back")


def notice_progress(*, notice: Notice) -> list[dict]:
    """Per channel of the notice: total deliveries, how many are in each bucket of
    ``PROGRESS_BUCKETS`` (failed ones whose person was handed on to a fallback channel, a printed
    letter or substitute notice count as fallen back, not failed), and the percentage no longer
    queued or sending."""
    summary = notice_delivery_summary(notice=notice)["channels"]
    fallen = dict(
        _tallies(notice).filter(Q(offline=True) | Q(handed_on=True), status__in=FAILED_STATUSES)
        .values_list("channel").annotate(count=Sum("n"))
    )
    rows = []
    for channel, counts in summary.items():
        total = sum(counts.values())
        failed = sum(counts[status] for status in FAILED_STATUSES)
        fallen_back = fallen.get(channel, 0)
        buckets = {
            "queued": counts["queued"], "sending": counts["sending"], "sent": counts["sent"],
            "delivered": counts["delivered"], "failed": failed - fallen_back, "fallen_back": fallen_back,
        }
        done = total - counts["queued"] - counts["sending"]
        rows.append({
            "channel": channel, "total": total, "done": done, "buckets": buckets,
            "percent": 100 if not total else done * 100 // total,
        })
    return rows


def _substitute(rule_text: str, *, people: int, unreachable: int) -> dict:
    """Whether the rule allows substitute notice and whether its conditions can be seen to be met.

    Insufficient contact data is a ground in the shipped US rules and can be counted;
    "disproportionate effort" (GDPR Art. 34(3)(c)) and costs are a person's judgement.
    """
    if not rule_text:
        return {"allowed": False, "conditions_met": "no", "rule": ""}
    text = rule_text.lower()
    if "insufficient" in text and unreachable or "500,000" in text and people > 500_000:
        met = "yes"
    else:
        met = "judgement" if unreachable else "no"
    return {"allowed": True, "conditions_met": met, "rule": rule_text}


def notice_reach(*, notice: Notice) -> list[dict]:
    """Per jurisdiction: people, those no channel reached (nothing queued, sending, sent or
    delivered), those without any live legal delivery, letters and substitute flags, and
    whether substitute notice is allowed there and its conditions met.

    Read from the counts the database keeps (``PeopleTally``, ``ReachTally``): two small queries
    however many people there are."""
    people = dict(
        PeopleTally.objects.filter(incident_id=notice.incident_id).order_by()
        .values_list("jurisdiction").annotate(people=Sum("n"))
    )
    reach = {
        row["jurisdiction"]: row for row in
        ReachTally.objects.filter(notice=notice).order_by().values("jurisdiction").annotate(
            reached_=Sum("reached"), legally_=Sum("legally"), letters_=Sum("letters"), substitute_=Sum("substitute"))
    }
    plan = plan_used(notice.pk) if notice.status in (NoticeStatus.SENDING, NoticeStatus.SENT) else None
    result = []
    for code, count in sorted(people.items()):
        if not count:
            continue
        counted = reach.get(code, {})
        unreachable = count - counted.get("reached_", 0)
        rule_text = plan.for_jurisdiction(code).substitute_notice if plan and plan.plans else ""
        result.append({
            "jurisdiction": code, "people": count, "unreachable": unreachable,
            "without_legal_notice": count - counted.get("legally_", 0),
            "printed_letters": counted.get("letters_", 0),
            "substitute_flagged": counted.get("substitute_", 0),
            "substitute_notice": _substitute(rule_text, people=count, unreachable=unreachable),
        })
    return result


class _Echo:
    def write(self, value: str) -> str:
        return value


def _iso(value) -> str:
    return value.isoformat() if value else ""


def deliveries_csv_rows(*, notice: Notice) -> Iterator[str]:
    """The evidence CSV, line by line, every delivery of the notice in id order (memory stays flat)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    rows = (
        Delivery.objects.filter(notice=notice)
        .order_by("id")
        .values_list(
            "id", "notice_id", "version__number", "recipient__external_id", "recipient__jurisdiction", "channel",
            "legal", "status", "attempts", "provider_id", "error_code", "error_text", "queued_at", "sent_at",
            "finished_at", "fallback_of_id", "needs_printed_letter", "substitute",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        cells = [*row[:12], _iso(row[12]), _iso(row[13]), _iso(row[14]), *row[15:]]
        yield writer.writerow([neutralise(cell) for cell in cells])


def letter_deliveries(*, notice: Notice) -> Iterator[Delivery]:
    """One delivery flagged ``needs_printed_letter`` per person (their first), with the person,
    in person order, read in chunks so memory stays flat."""
    flagged = (
        Delivery.objects.filter(notice=notice, needs_printed_letter=True)
        .select_related("recipient")
        .order_by("recipient_id", "id")
    )
    previous = None
    for delivery in flagged.iterator(chunk_size=1000):
        if delivery.recipient_id != previous:
            previous = delivery.recipient_id
            yield delivery


def letters_count(*, notice: Notice) -> int:
    """How many people the letters export holds (one line each), counted in the database."""
    return Delivery.objects.filter(notice=notice, needs_printed_letter=True).values("recipient_id").distinct().count()


LETTER_COLUMNS = ["external_id", "name", "postal_address", "language", "personal_url", "jurisdiction", "delivery_id"]


def letters_csv_rows(*, notice: Notice) -> Iterator[str]:
    """The mail house's merge file: one line per person flagged for a printed letter, with the
    name and postal address decrypted, their language and personal link (the letters themselves
    are ``notifications.delivery.letters.letters_pdf_write``)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(LETTER_COLUMNS)
    for delivery in letter_deliveries(notice=notice):
        person = delivery.recipient
        cells = [person.external_id, person.name, person.postal_address, delivery.language, person.personal_url,
                 person.jurisdiction, delivery.pk]
        yield writer.writerow([neutralise(cell) for cell in cells])
