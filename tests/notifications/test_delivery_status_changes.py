"""Every change of a delivery's status is written once, as data, and the bulk paths cannot leave it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from notifications.delivery import sending
from notifications.models import Delivery, DeliveryStatus
from notifications.models.delivery import STATUS_CHANGES
from tests.notifications.delivery_helpers import approved_notice, people

ROOT = Path(__file__).resolve().parents[2]
TRANSITIONS = ("mark_delivered", "mark_undelivered", "mark_failed", "mark_bounced")


@pytest.fixture
def queued(legal, incident) -> list[Delivery]:
    notice = approved_notice(incident, channels=["email"])
    people(incident, 2)
    sending.notice_send(actor=legal, notice=notice)
    return list(Delivery.objects.filter(notice=notice))


def test_the_callbacks_transitions_allow_exactly_the_table_s_changes_into_their_targets():
    for name in TRANSITIONS:
        for transition in getattr(Delivery, name)._django_fsm.transitions.values():
            assert (transition.source, transition.target) in STATUS_CHANGES, name
    callback_targets = {DeliveryStatus.DELIVERED, DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED, DeliveryStatus.BOUNCED}
    in_fsm = {
        (transition.source, transition.target)
        for name in TRANSITIONS for transition in getattr(Delivery, name)._django_fsm.transitions.values()
    }
    assert in_fsm == {change for change in STATUS_CHANGES if change[1] in callback_targets}


def test_a_bulk_change_outside_the_table_is_refused_and_changes_nothing(queued):
    with pytest.raises(ValueError, match="never moves from queued to delivered"):
        Delivery.objects.all().change_status(source=DeliveryStatus.QUEUED, target=DeliveryStatus.DELIVERED)

    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}


def test_a_bulk_record_with_one_row_outside_the_table_writes_nothing(queued):
    rows = [
        Delivery(id=queued[0].pk, status=DeliveryStatus.SENDING),
        Delivery(id=queued[1].pk, status=DeliveryStatus.SENT),
    ]

    with pytest.raises(ValueError, match="never moves from queued to sent"):
        Delivery.objects.all().record_rows(rows, ["status"], source=DeliveryStatus.QUEUED)

    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.QUEUED}


def _status_writes_outside_the_table(path: Path) -> list[str]:
    """Calls in ``path`` that could write a delivery's status without the table: ``update(status=...)``
    and ``bulk_update``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr == "update" and any(keyword.arg == "status" for keyword in node.keywords):
            found.append(f"{path.name}:{node.lineno} update(status=...)")
        if node.func.attr == "bulk_update":
            found.append(f"{path.name}:{node.lineno} bulk_update")
    return found


def test_the_delivery_code_changes_statuses_in_bulk_only_through_the_table():
    modules = sorted((ROOT / "notifications" / "delivery").glob("*.py"))

    assert [write for path in modules for write in _status_writes_outside_the_table(path)] == []
