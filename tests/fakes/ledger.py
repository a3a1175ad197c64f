"""What a fake accepted, counted per address so a run can prove no loss and no duplicate."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Generic, TypeVar

T = TypeVar("T")


class Ledger(Generic[T]):
    """Accepted messages in order of arrival, and a count per address.

    With ``keep=False`` only the counts are kept, so a benchmark of a million
    messages does not hold a million parsed messages in memory.
    """

    def __init__(self, what: str, *, keep: bool = True):
        self.what = what
        self.keep = keep
        self._changed = threading.Condition()
        self._items: list[T] = []
        self._counts: Counter[str] = Counter()
        self._total = 0

    def add(self, item: T, *addresses: str) -> None:
        """Record one accepted message sent to ``addresses`` (usually one)."""
        with self._changed:
            if self.keep:
                self._items.append(item)
            self._counts.update(addresses)
            self._total += 1
            self._changed.notify_all()

    @property
    def items(self) -> list[T]:
        with self._changed:
            return list(self._items)

    @property
    def total(self) -> int:
        with self._changed:
            return self._total

    def counts(self) -> Counter[str]:
        """How many messages each address received."""
        with self._changed:
            return Counter(self._counts)

    def duplicates(self) -> dict[str, int]:
        """The addresses that received more than one message, with how many."""
        with self._changed:
            return {address: count for address, count in self._counts.items() if count > 1}

    def wait_for(self, count: int, timeout: float = 10.0) -> list[T]:
        """Block until ``count`` messages arrived in all; raise TimeoutError otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._total >= count, timeout):
                raise TimeoutError(f"{self._total} of {count} {self.what} arrived")
            return list(self._items)

    def clear(self) -> None:
        with self._changed:
            self._items.clear()
            self._counts.clear()
            self._total = 0
