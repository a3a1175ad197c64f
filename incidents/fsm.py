"""State-machine conditions that say, in a sentence, why a transition cannot happen now."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.utils.functional import Promise

Check = TypeVar("Check", bound=Callable[..., bool])


def condition(message: str | Promise) -> Callable[[Check], Check]:
    """Mark an FSM condition (or permission check) with the sentence shown to a person when it fails."""

    def decorate(function: Check) -> Check:
        function.message = message  # type: ignore[attr-defined]  # the sentence travels with the function
        return function

    return decorate

