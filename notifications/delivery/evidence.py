"""What the organisation can show about a notice's delivery: live counts, reach, and the ledger as CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import Count, Exists, OuterRef, Q

from incidents.spreadsheet import neutralise
from notifications.delivery.plan import plan_used
from notifications.models import Delivery, DeliveryStatus, Notice, NoticeStatus, Recipient
from notifications.models.delivery import FAILED_STATUSES, LIVE_STATUSES

STATUSES = [status.value for status in DeliveryStatus]
CHANNELS = ("email", "sms", "push")

CSV_COLUMNS = [
    "delivery_id", "notice_id", "version", "recipient_external_id", "jurisdiction", "channel", "legal",
    "status", "attempts", "provider_id", "error_code", "error_text", "queued_at", "sent_at", "finished_at",
    "fallback_of", "needs_printed_letter", "substitute",
]


def notice_delivery_summary(*, notice: Notice) -> dict:
    """``{"notice": id, "status": ..., "channels": {channel: {status: count for every status}}}``."""
    channels = {
        channel: dict.fromkeys(STATUSES, 0) for channel in CHANNELS if channel in (notice.channels or CHANNELS)
    }
    rows = (
        Delivery.objects.filter(notice=notice)
        .values("channel", "status")
        .annotate(count=Count("id"))
        .order_by()
    )
    for row in rows:
        channels.setdefault(row["channel"], dict.fromkeys(STATUSES, 0))[row["status"]] = row["count"]
    return {"notice": notice.pk, "status": notice.status, "channels": channels}


PROGRESS_BUCKETS = ("queued", "sending", "sent", "delivered", "failed", "fallen_back")


def notice_progress(*, notice: Notice) -> list[dict]:
    """Per channel of the notice: total deliveries, how many are in each bucket of
    ``PROGRESS_BUCKETS`` (failed ones whose person was handed to a fallback channel, a printed
    letter or substitute notice count as fallen back, not failed), and the percentage no longer
    queued or sending."""
    summary = notice_delivery_summary(notice=notice)["channels"]
    handed_on = dict(
        Delivery.objects.filter(notice=notice, fallback_of__isnull=False)
        .values_list("fallback_of__channel")
        .annotate(count=Count("id"))
        .order_by()
    )
    offline = dict(
        Delivery.objects.filter(notice=notice, status__in=FAILED_STATUSES, fallback_of__isnull=True)
        .filter(Q(needs_printed_letter=True) | Q(substitute=True))
        .values_list("channel")
        .annotate(count=Count("id"))
        .order_by()
    )
    rows = []
    for channel, counts in summary.items():
        total = sum(counts.values())
        failed = sum(counts[status] for status in FAILED_STATUSES)
        fallen_back = min(handed_on.get(channel, 0) + offline.get(channel, 0), failed)
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
    whether substitute notice is allowed there and its conditions met."""
    live = Delivery.objects.filter(notice=notice, recipient=OuterRef("pk"), status__in=LIVE_STATUSES)
    rows = (
        Recipient.objects.filter(incident_id=notice.incident_id)
        .annotate(reached=Exists(live), legally=Exists(live.filter(legal=True)))
        .values("jurisdiction")
        .annotate(
            people=Count("id"),
            unreachable=Count("id", filter=Q(reached=False)),
            without_legal_notice=Count("id", filter=Q(legally=False)),
        )
        .order_by("jurisdiction")
    )
    flags = (
        Delivery.objects.filter(notice=notice)
        .values("recipient__jurisdiction")
        .annotate(
            letters=Count("recipient", filter=Q(needs_printed_letter=True), distinct=True),
            substitute=Count("recipient", filter=Q(substitute=True), distinct=True),
        )
        .order_by()
    )
    by_code = {row["recipient__jurisdiction"]: row for row in flags}
    plan = plan_used(notice.pk) if notice.status in (NoticeStatus.SENDING, NoticeStatus.SENT) else None
    result = []
    for row in rows:
        code = row["jurisdiction"]
        rule_text = plan.for_jurisdiction(code).substitute_notice if plan and plan.plans else ""
        result.append({
            **row,
            "printed_letters": by_code.get(code, {}).get("letters", 0),
            "substitute_flagged": by_code.get(code, {}).get("substitute", 0),
            "substitute_notice": _substitute(rule_text, people=row["people"], unreachable=row["unreachable"]),
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
