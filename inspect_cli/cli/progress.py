"""Progress on long work: one rich bar on stderr, only for a person watching a terminal.

Every command that walks the whole ledger uses the same helper, so they all behave alike:

- the bar goes to **stderr**, never stdout: ``--json`` output stays clean JSON;
- it shows only when stderr is a terminal (not in pipes, cron logs or tests);
- ``--quiet`` (or ``INSPECT_QUIET=1``) turns it off;
- it disappears when the work is done (``transient``): the command's own output follows.

Use::

    from .progress import quiet_option, progress

    @quiet_option
    def cmd(..., quiet: bool) -> None:
        with progress("Auditing", total=n, quiet=quiet) as advance:
            ledger.audit(..., progress=advance)   # advance(k) after k more records

The core never imports this: it takes a plain ``Callable[[int], None]`` (or, for batch
apply, ``Callable[[done, total], None]`` — see :func:`as_done_total`).
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional, TextIO

import click

Advance = Callable[[int], None]
F = Callable[..., Any]
# rich redraws at most ~12 times a second; updating it for every record of 360k would cost
# more than the work it shows, so advances are summed and handed over in steps.
STEP = 500


def quiet_option(f: F) -> F:
    return click.option("--quiet", "-q", is_flag=True, envvar="INSPECT_QUIET", show_envvar=True,
                        help="No progress bar on stderr (it shows only on a terminal anyway).")(f)


def wanted(quiet: bool, stream: Optional[TextIO] = None) -> bool:
    """Whether to show a bar: not ``--quiet`` and stderr (or ``stream``) is a terminal."""
    out = stream if stream is not None else sys.stderr
    return not quiet and bool(getattr(out, "isatty", lambda: False)())


def _nothing(n: int = 1) -> None:
    return None


@contextmanager
def progress(description: str, total: Optional[int] = None, quiet: bool = False,
             stream: Optional[TextIO] = None) -> Iterator[Advance]:
    """A function ``advance(n)`` to call as work gets done; a no-op when no bar is wanted.

    ``total`` None shows a pulsing bar (the amount of work is not known in advance).
    """
    if not wanted(quiet, stream):
        yield _nothing
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=stream if stream is not None else sys.stderr, highlight=False)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        pending = [0]

        def advance(n: int = 1) -> None:
            pending[0] += n
            if pending[0] >= STEP:
                bar.advance(task, pending[0])
                pending[0] = 0

        yield advance
        if pending[0]:
            bar.advance(task, pending[0])


def as_done_total(description: str, quiet: bool = False,
                  stream: Optional[TextIO] = None) -> Any:
    """For work that reports ``(done, total)`` (batch apply): a context manager giving such a callback."""

    @contextmanager
    def manager() -> Iterator[Callable[[int, int], None]]:
        if not wanted(quiet, stream):
            yield lambda done, total: None
            return
        from rich.console import Console
        from rich.progress import Progress

        console = Console(file=stream if stream is not None else sys.stderr, highlight=False)
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(description, total=None)

            def update(done: int, total: int) -> None:
                if done == total or done % 100 == 0:
                    bar.update(task, completed=done, total=total)

            yield update

    return manager()
