"""State-machine conditions that say, in a sentence, why a transition cannot happen now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, cast

from django.utils.functional import Promise


class Condition(Protocol):
    """An FSM condition (or permission check) that carries the sentence shown to a person when it fails;
    ``describe``, when set, words that sentence for one instance (naming what is still missing)."""

    message: str | Promise
    describe: Callable[[Any], str] | None

    def __call__(self, *args: Any) -> bool: ...


def condition(message: str | Promise, *, describe: Callable[[Any], str] | None = None,
              ) -> Callable[[Callable[..., bool]], Condition]:
    """Mark an FSM condition (or permission check) with the sentence shown to a person when it fails."""

    def decorate(function: Callable[..., bool]) -> Condition:
        # The sentence travels with the function itself: django-fsm calls it and keeps nothing else.
        marked = cast(Condition, function)
        marked.message = message
        marked.describe = describe
        return marked

    return decorate

