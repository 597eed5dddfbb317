"""The PostgreSQL layout: schema ``inspect``, its tables, indexes and guard triggers.

Shared by the backend (:mod:`.postgres`, which creates it on a first write) and by
``inspect ledger init``/``upgrade`` (:mod:`.pgschema`). Plain SQL on a psycopg connection;
nothing here imports psycopg.
"""
from __future__ import annotations

import re
from typing import Any

from .interface import SCHEMA_VERSION, TABLES

SCHEMA = "inspect"
META_TABLE = "_meta"
EVIDENCE_TABLE = "_evidence"
META_ID = "ledger"
# generated columns: (name, SQL type); "text" columns hold a field only when it is a string,
# "numeric" ones only when it is a number, so an SQL comparison means what Python's does;
# "jsonb" ones hold the field's JSON value whatever its type (a list, say).
# The same fields as the SQLite layout 3 indexes (storage/sqlite.py), for the same queries.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "hazards": tuple((c, "text") for c in ("site", "status", "severity", "deadline", "checklist", "domain",
                                           "inspection", "created", "closed_date", "closed_reason", "item",
                                           "checklist_version")),
    "events": (("subject", "text"), ("seq", "numeric"), ("date", "text")),
    "case_events": (("subject", "text"), ("seq", "numeric"), ("date", "text")),
    "inspections": (("site", "text"), ("date", "text"), ("checklist", "text"), ("kind", "text"), ("status", "text"),
                    ("domain", "text"), ("hazards", "jsonb")),
    "sites": (("industry", "text"), ("risk_class", "text")),
    "cases": (("status", "text"), ("site", "text")),
}
INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "hazards": (("status", "deadline"), ("severity", "status", "deadline"), ("site", "deadline"), ("deadline",),
                ("checklist",), ("domain",), ("inspection",), ("created",), ("closed_date",),
                # the tallies of stats and the bulletin (count_by): GROUP BY these, from the index
                ("domain", "severity", "status", "created"), ("checklist", "checklist_version", "item", "site", "created"),
                ("status", "closed_date", "severity", "closed_reason", "created")),
    "events": (("subject", "seq"), ("date",)),
    "case_events": (("subject", "seq"),),
    "inspections": (("site", "date"), ("date",), ("checklist",), ("date", "status", "kind", "domain"),
                    ("status", "kind", "domain", "date")),
    "sites": (("industry",), ("risk_class",)),
    "cases": (("status",), ("site",)),
}
# Tables whose records may be added but never changed once written (see pgschema.py).
APPEND_ONLY = ("events", "case_events")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def ident(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"invalid table name {name!r}")
    return f'{SCHEMA}."{name}"'


def held_tables(conn: Any) -> set[str]:
    """The tables of the schema (from pg_catalog: information_schema is much slower)."""
    return {r[0] for r in conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace "
        "WHERE s.nspname = %s AND c.relkind IN ('r', 'p')", (SCHEMA,))}


# 2: the columns (and indexes) of the tallies: hazards' closed_reason, item, checklist_version;
# inspections' kind, status, domain, hazards (``inspect ledger upgrade`` adds them)
LAYOUT_VERSION = 2
ALL_TABLES = TABLES + ("cases", "case_events")

GUARD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {SCHEMA}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('inspect.upgrade', true), '') = 'on'
     AND (SELECT pg_has_role(current_user, c.relowner, 'MEMBER') FROM pg_class c WHERE c.oid = TG_RELID) THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF TG_TABLE_NAME = 'documents' AND OLD.id LIKE 'seq:%' THEN RETURN OLD; END IF;
    RAISE EXCEPTION 'inspect-cli: % % may not be deleted: the ledger keeps every record', TG_TABLE_NAME, OLD.id
      USING ERRCODE = 'P0001';
  END IF;
  IF NEW.data IS NOT DISTINCT FROM OLD.data AND NEW.id = OLD.id THEN RETURN NEW; END IF;
  IF TG_TABLE_NAME IN ('events', 'case_events') THEN
    RAISE EXCEPTION 'inspect-cli: % % is part of a hash-chained history and may not be changed', TG_TABLE_NAME, OLD.id
      USING ERRCODE = 'P0001';
  END IF;
  -- An issued document (and its frozen texts) may only gain what a later print adds (the hash
  -- of another format, its frozen text): every key and value it had must stay as it was.
  IF TG_TABLE_NAME = 'documents' AND OLD.id NOT LIKE 'seq:%' AND NOT (NEW.data @> OLD.data) THEN
    RAISE EXCEPTION 'inspect-cli: document % was issued and may not be changed', OLD.id USING ERRCODE = 'P0001';
  END IF;
  IF TG_TABLE_NAME = 'documents' AND (NEW.data->>'seq')::numeric < (OLD.data->>'seq')::numeric THEN
    RAISE EXCEPTION 'inspect-cli: the document sequence % may not go back', OLD.id USING ERRCODE = 'P0001';
  END IF;
  IF TG_TABLE_NAME = 'inspections' AND OLD.data->>'status' = 'completed'
     AND (NEW.data->'answers' IS DISTINCT FROM OLD.data->'answers' OR NEW.data->>'status' IS DISTINCT FROM 'completed') THEN
    RAISE EXCEPTION 'inspect-cli: the answers of completed inspection % may not be changed', OLD.id USING ERRCODE = 'P0001';
  END IF;
  RETURN NEW;
END $$;
"""
GUARDED = ("events", "case_events", "documents", "inspections")


def _column_sql(name: str, kind: str) -> str:
    if kind == "jsonb":
        return f'"{name}" jsonb GENERATED ALWAYS AS (data->\'{name}\') STORED'
    if kind == "numeric":
        expr = f"CASE WHEN jsonb_typeof(data->'{name}') = 'number' THEN (data->>'{name}')::numeric END"
        return f'"{name}" numeric GENERATED ALWAYS AS ({expr}) STORED'
    expr = f"CASE WHEN jsonb_typeof(data->'{name}') = 'string' THEN data->>'{name}' END"
    return f'"{name}" text COLLATE "C" GENERATED ALWAYS AS ({expr}) STORED'


def create_table(conn: Any, table: str) -> None:
    cols = "".join(", " + _column_sql(n, k) for n, k in COLUMNS.get(table, ()))
    conn.execute(f'CREATE TABLE IF NOT EXISTS {ident(table)} (n bigserial NOT NULL, id text COLLATE "C" PRIMARY KEY, '
                 f"data jsonb NOT NULL{cols})")
    conn.execute(f'CREATE INDEX IF NOT EXISTS "{table}_n" ON {ident(table)} (n)')
    for index in INDEXES.get(table, ()):
        conn.execute(f'CREATE INDEX IF NOT EXISTS "{table}_{"_".join(index)}" ON {ident(table)} '
                     f"({', '.join(chr(34) + c + chr(34) for c in index)})")
    if table in GUARDED or table in APPEND_ONLY:
        conn.execute(f'DROP TRIGGER IF EXISTS "{table}_guard" ON {ident(table)}')
        conn.execute(f'CREATE TRIGGER "{table}_guard" BEFORE UPDATE OR DELETE ON {ident(table)} '
                     f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.refuse_change()")
        conn.execute(f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON {ident(table)}')
        conn.execute(f'CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON {ident(table)} '
                     f"FOR EACH STATEMENT EXECUTE FUNCTION {SCHEMA}.refuse_truncate()")


def add_columns(conn: Any) -> list[str]:
    """The generated columns of :data:`COLUMNS` that the ledger's tables lack (an older layout),
    each computed from the records already there; what was added, for the user."""
    done = []
    have = held_tables(conn)
    for table, cols in COLUMNS.items():
        if table not in have:
            continue
        present = {r[0] for r in conn.execute(
            "SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace s "
            "ON s.oid = c.relnamespace WHERE s.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped",
            (SCHEMA, table))}
        missing = [(n, k) for n, k in cols if n not in present]
        if missing:
            conn.execute(f"ALTER TABLE {ident(table)} " + ", ".join(f"ADD COLUMN {_column_sql(n, k)}" for n, k in missing))
            done.append(f"{table}: added the indexed columns {', '.join(n for n, _ in missing)}")
    return done


def create_schema(conn: Any) -> list[str]:
    """The schema, tables, indexes and guards (idempotent); what was created, for the user."""
    done: list[str] = []
    have = held_tables(conn)
    if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (SCHEMA,)).fetchone():
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
        done.append(f"created schema {SCHEMA}")
    conn.execute(GUARD_FUNCTION)
    conn.execute(f"""CREATE OR REPLACE FUNCTION {SCHEMA}.refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('inspect.upgrade', true), '') = 'on'
     AND (SELECT pg_has_role(current_user, c.relowner, 'MEMBER') FROM pg_class c WHERE c.oid = TG_RELID) THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'inspect-cli: % may not be emptied: the ledger keeps every record', TG_TABLE_NAME USING ERRCODE = 'P0001';
END $$;""")
    conn.execute(f"CREATE TABLE IF NOT EXISTS {ident(META_TABLE)} (key text PRIMARY KEY, value jsonb NOT NULL)")
    conn.execute(f'CREATE TABLE IF NOT EXISTS {ident(EVIDENCE_TABLE)} (file text COLLATE "C" PRIMARY KEY, '
                 "sha256 text NOT NULL, size bigint NOT NULL, data bytea NOT NULL)")
    for table in ALL_TABLES:
        create_table(conn, table)
    created = [t for t in (META_TABLE, EVIDENCE_TABLE) + ALL_TABLES if t not in have]
    if created:
        done.append(f"created tables {', '.join(created)} with their indexes")
    done.append(f"guard triggers on {', '.join(GUARDED)}: no UPDATE/DELETE of events, case events, issued "
                "documents or completed inspections' answers, for any role, outside `inspect ledger upgrade`")
    return done


def new_meta(fmt: str) -> dict[str, Any]:
    """The metadata of a new ledger."""
    return {"format": fmt, "schema": SCHEMA_VERSION, "layout": LAYOUT_VERSION}
