"""The one exception hierarchy of inspect-cli.

Every expected failure raises a subclass of :class:`InspectError`. The CLI catches the
base class at one boundary, prints the message and exits with the class's ``exit_code``
(documented in ``docs/exit-codes.md``).
"""
from __future__ import annotations


class InspectError(Exception):
    """Base class of every expected failure; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class UsageError(InspectError):
    """A command was called with values that cannot work (bad date, unknown option value)."""

    exit_code = 2


class ChecklistError(InspectError):
    """A checklist file is invalid; ``problems`` holds every ``FILE:LINE: message``."""

    exit_code = 1

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class NotFound(InspectError):
    """A checklist, site, inspection or hazard id that does not exist."""

    exit_code = 3


class ValidationFailed(InspectError):
    """Input data (answers file, CSV, plan) is wrong; ``problems`` lists every problem."""

    exit_code = 4

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class IllegalTransition(InspectError):
    """A hazard state change that the lifecycle does not allow from its current state."""

    exit_code = 5


class LedgerError(InspectError):
    """The ledger file cannot be read or written (corrupt, newer format, permissions)."""

    exit_code = 6


class LedgerBusy(LedgerError):
    """Another inspect process holds the ledger's lock for longer than the timeout."""

    exit_code = 7


class LedgerUnavailable(LedgerError):
    """A server ledger cannot be reached: its driver is not installed, or the server refuses
    or does not answer."""

    exit_code = 10


class IntegrityError(InspectError):
    """A history does not verify (``inspect verify``, an imported bundle, a draw re-check)."""

    exit_code = 8

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class ReportError(InspectError):
    """A report cannot be rendered (template error, missing PDF engine or CJK font)."""

    exit_code = 9
