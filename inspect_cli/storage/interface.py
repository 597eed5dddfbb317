"""The storage interface the ledger talks to. Every backend passes ``tests/storage``.

A backend hands out :class:`Store` views inside transactions:

- ``backend.read()``: a consistent snapshot; nothing is written.
- ``backend.write()``: holds the ledger's inter-process lock from before the first read
  until the change is durable; a clean exit commits everything at once, an exception
  commits nothing.

Records are JSON-able dicts keyed by a string id in named tables.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Iterable, Optional, Protocol, Union

SCHEMA_VERSION = 1
TABLES = ("sites", "inspections", "hazards", "events", "settings", "draws", "documents", "imports", "conflicts")

# A condition on one field: a plain value means equality; a tuple (op, value) with op one of
# "in", "not in", "<", "<=", ">", ">=", "!=", "between" (inclusive pair).
Condition = Union[Any, tuple[str, Any]]
Where = dict[str, Condition]


class Store(Protocol):
    """A view of the ledger inside one transaction."""

    def get(self, table: str, id: str) -> Optional[dict[str, Any]]: ...

    def put(self, table: str, id: str, record: dict[str, Any]) -> None:
        """Insert or replace a record."""

    def put_many(self, table: str, records: Iterable[tuple[str, dict[str, Any]]]) -> None: ...

    def find(self, table: str, where: Optional[Where] = None, order_by: Optional[str] = None,
             descending: bool = False, limit: Optional[int] = None, offset: int = 0,
             fields: Optional[tuple[str, ...]] = None) -> list[dict[str, Any]]:
        """Matching records; with ``fields``, records holding at least those top-level fields
        (a backend may then skip decoding the rest — large inspection records, say)."""

    def count(self, table: str, where: Optional[Where] = None) -> int: ...

    def meta(self) -> dict[str, Any]:
        """Ledger metadata (schema version, creation time); change it with :meth:`set_meta`."""

    def set_meta(self, meta: dict[str, Any]) -> None: ...

    def tables(self) -> list[str]:
        """The record tables this store holds: the standard :data:`TABLES`, then any other."""

    def items(self, table: str) -> list[tuple[str, dict[str, Any]]]:
        """Every ``(key, record)`` of a table, in insertion order (what a migration copies)."""


class Backend(Protocol):
    path: Any
    name: str

    def read(self) -> AbstractContextManager[Store]: ...

    def write(self) -> AbstractContextManager[Store]: ...

    def exists(self) -> bool: ...

    def size_bytes(self) -> int:
        """Bytes the ledger takes on disk (0 before it exists)."""

    def size_hint(self) -> Optional[str]:
        """A one-line hint when the ledger has grown past what this backend does well, else None."""


def standard_tables(names: Iterable[str]) -> list[str]:
    """:data:`TABLES` first, then any other (non-internal) table name, sorted."""
    extra = sorted(n for n in set(names) if not n.startswith("_") and n not in TABLES)
    return list(TABLES) + extra


def matches(record: dict[str, Any], where: Optional[Where]) -> bool:
    """Whether a record meets every condition (the in-memory reference semantics)."""
    if not where:
        return True
    for field, cond in where.items():
        value = record.get(field)
        if isinstance(cond, tuple):
            op, arg = cond
            if not _OPS[op](value, arg):
                return False
        elif value != cond:
            return False
    return True


def _cmp(f: Any) -> Any:
    return lambda a, b: a is not None and f(a, b)


_OPS = {
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b, "!=": lambda a, b: a != b,
    "<": _cmp(lambda a, b: a < b), "<=": _cmp(lambda a, b: a <= b),
    ">": _cmp(lambda a, b: a > b), ">=": _cmp(lambda a, b: a >= b),
    "between": _cmp(lambda a, b: b[0] <= a <= b[1]),
}
OPERATORS = tuple(_OPS)


def sort_key(field: str) -> Any:
    """Sort with missing values last, whatever the direction of the rest."""
    return lambda r: (r.get(field) is None, r.get(field) if r.get(field) is not None else "")
