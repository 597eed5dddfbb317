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
from typing import Any, Iterable, Iterator, Mapping, Optional, Protocol, Union

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

    def count_by(self, table: str, by: tuple[str, ...], where: Optional[Where] = None,
                 distinct: Optional[str] = None) -> dict[tuple[Any, ...], int]:
        """How many matching records share each combination of the ``by`` fields (``GROUP BY``).

        Keys are tuples of the fields' values (None for a missing field; a list or mapping as
        its compact JSON text). With ``distinct``, the number of distinct non-missing values of
        that field in each group instead (``COUNT(DISTINCT …)``). :func:`count_records` is the
        reference semantics, and the in-Python implementation a backend without SQL calls.
        """

    def meta(self) -> dict[str, Any]:
        """Ledger metadata (schema version, creation time); change it with :meth:`set_meta`."""

    def set_meta(self, meta: dict[str, Any]) -> None: ...

    def tables(self) -> list[str]:
        """The record tables this store holds: the standard :data:`TABLES`, then any other."""

    def items(self, table: str) -> list[tuple[str, dict[str, Any]]]:
        """Every ``(key, record)`` of a table, in insertion order (what a migration copies)."""


class EvidenceStore(Protocol):
    """What a store offers when the ledger keeps evidence files inside itself (PostgreSQL).

    A ledger file keeps them in a folder beside it instead, and its store has none of these
    methods (:func:`.evidence.evidence_store` tells which). Names are content names,
    ``ab/abcdef….ext`` (the sha256 of the bytes), as in the folder.
    """

    def evidence_names(self) -> list[str]: ...

    def read_evidence(self, name: str) -> Optional[bytes]: ...

    def keep_evidence(self, name: str, data: bytes) -> bool:
        """Store a file under its content name (refused when the bytes do not match); False if held."""


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


def group_value(value: Any) -> Any:
    """A field's value as a group key: scalars as they are, lists and mappings as compact JSON."""
    if isinstance(value, (str, int, float, type(None))):
        return value
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def count_records(records: Iterable[Mapping[str, Any]], by: tuple[str, ...],
                  distinct: Optional[str] = None) -> dict[tuple[Any, ...], int]:
    """:meth:`Store.count_by` over records already filtered (the in-memory reference)."""
    if distinct is None:
        counts: dict[tuple[Any, ...], int] = {}
        for r in records:
            key = tuple(group_value(r.get(f)) for f in by)
            counts[key] = counts.get(key, 0) + 1
        return counts
    seen: dict[tuple[Any, ...], set[Any]] = {}
    for r in records:
        key = tuple(group_value(r.get(f)) for f in by)
        values = seen.setdefault(key, set())
        if r.get(distinct) is not None:
            values.add(group_value(r.get(distinct)))
    return {k: len(v) for k, v in seen.items()}


def iter_records(store: Store, table: str, where: Optional[Where] = None, fields: Optional[tuple[str, ...]] = None,
                 batch: int = 2000) -> Iterator[dict[str, Any]]:
    """Every matching record of a table keyed by ``id``, read ``batch`` at a time in id order.

    Memory stays bounded whatever the size of the ledger: each batch is one
    :meth:`Store.find` after the last id seen (keyset paging, no growing OFFSET). With
    ``fields``, each record holds at least those fields (and ``id``).
    """
    after: Optional[str] = None
    want = None if fields is None else tuple(dict.fromkeys(("id",) + tuple(fields)))
    while True:
        cond: Where = dict(where or {})
        if after is not None:
            cond["id"] = (">", after)
        rows = store.find(table, cond, order_by="id", limit=batch, fields=want)
        if not rows:
            return
        yield from rows
        if len(rows) < batch:
            return
        after = str(rows[-1]["id"])


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


def window_where(since: Optional[str], until: Optional[str], field: str) -> Where:
    """A condition on a YYYY-MM-DD ``field`` for an inclusive window (either end optional)."""
    if since and until:
        return {field: ("between", (since, until))}
    if since:
        return {field: (">=", since)}
    if until:
        return {field: ("<=", until)}
    return {}
