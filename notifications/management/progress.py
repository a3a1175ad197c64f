"""Progress bars for the long commands (``import_recipients``, ``send_notice``, ``letters_pdf``).

Drawn with rich on the command's standard error, and only when that is a terminal: a command run by cron,
a CI job or a pipe writes exactly what it wrote before, and its standard output (the summary, the JSON)
never carries a bar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

# The bar's update: how far it is, a short text of what is counted so far, and the total once known.
Advance = Callable[..., None]


def _quiet(completed: int, detail: str = "", total: int | None = None) -> None:
    """Nothing to draw: the output is not a terminal."""


@contextmanager
def terminal_progress(stream, description: str, total: int | None) -> Iterator[Advance]:
    """Yield ``advance(completed, detail="", total=None)``, which moves a bar on ``stream`` (a command's
    ``stderr``) when it is a terminal and does nothing otherwise; while the total is not known (None) the
    bar has no end."""
    if not stream.isatty():
        yield _quiet
        return
    console = Console(file=stream._out if hasattr(stream, "_out") else stream)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[detail]}"))
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(description, total=total, detail="")

        def advance(completed: int, detail: str = "", total: int | None = None) -> None:
            if total:
                progress.update(task, total=total)
            progress.update(task, completed=completed, detail=detail)

        yield advance
