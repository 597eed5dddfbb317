"""The PostgreSQL layout, its roles and its guards: ``inspect ledger init`` and ``ledger upgrade``.

- :func:`create_schema` makes the schema ``inspect``, its tables, indexes and guard triggers;
- :func:`init_ledger` does that and creates the roles: the writer (inspectors: add records,
  change hazard and case projections, never UPDATE/DELETE an event, an answer of a completed
  inspection or an issued document) and the reader (analysts: SELECT only);
- :func:`upgrade` brings an older layout up to :data:`LAYOUT_VERSION`; it is the only code that
  sets ``inspect.upgrade`` for its transaction, which the guard triggers let through.

The guards are triggers, so they hold for every role, the owner and a superuser included
(short of ``ALTER TABLE … DISABLE TRIGGER``, which needs the owner and leaves a trace in the
catalogue); grants say the same thing a second time for the writer role.
"""
from __future__ import annotations

from typing import Any

from .interface import TABLES
from .postgres import APPEND_ONLY, COLUMNS, EVIDENCE_TABLE, INDEXES, META_TABLE, SCHEMA, ident

LAYOUT_VERSION = 1
ALL_TABLES = TABLES + ("cases", "case_events")
# Tables the writer may UPDATE (projections and bookkeeping); the guards still refuse what is permanent.
WRITER_UPDATES = ("sites", "inspections", "hazards", "settings", "draws", "documents", "imports", "conflicts", "cases")

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
  IF TG_TABLE_NAME = 'documents' AND OLD.id NOT LIKE 'seq:%' THEN
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


def create_schema(conn: Any) -> list[str]:
    """The schema, tables, indexes and guards (idempotent); what was created, for the user."""
    done: list[str] = []
    from .postgres import held_tables

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


def _role_exists(conn: Any, role: str) -> bool:
    return bool(conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone())


def grant_roles(conn: Any, writer: str, reader: str) -> list[str]:
    """Create (NOLOGIN) roles if missing and give them exactly their rights."""
    from psycopg import sql

    done: list[str] = []
    for role in (writer, reader):
        if not _role_exists(conn, role):
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
            done.append(f"created role {role} (NOLOGIN: grant it to login users, e.g. "
                        f"CREATE ROLE zhang LOGIN PASSWORD '…' IN ROLE {role})")
    w, r = sql.Identifier(writer), sql.Identifier(reader)
    schema = sql.Identifier(SCHEMA)
    conn.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}, {}").format(schema, w, r))
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}, {}").format(schema, w, r))
    conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}, {}").format(schema, w, r))
    conn.execute(sql.SQL("GRANT INSERT ON ALL TABLES IN SCHEMA {} TO {}").format(schema, w))
    conn.execute(sql.SQL("REVOKE INSERT ON {} FROM {}").format(sql.SQL(ident(META_TABLE)), w))
    for table in WRITER_UPDATES:
        conn.execute(sql.SQL("GRANT UPDATE ON {} TO {}").format(sql.SQL(ident(table)), w))
    conn.execute(sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, w))
    done.append(f"granted {writer}: SELECT and INSERT on every table, UPDATE on {', '.join(WRITER_UPDATES)}; "
                "no UPDATE on events or case_events, no DELETE or TRUNCATE anywhere")
    done.append(f"granted {reader}: SELECT only")
    return done


def init_ledger(conn: Any, writer: str, reader: str) -> list[str]:
    """``inspect ledger init``: schema, tables, guards, metadata and roles, in one transaction."""
    from .files import FORMAT
    from .postgres import PgStore, _new_meta

    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('inspect-cli ledger init', 0))")
    done = create_schema(conn)
    store = PgStore(conn, writable=True)
    meta = store.meta()
    if not meta:
        store.set_meta(_new_meta(FORMAT))
        done.append(f"wrote the ledger metadata (schema {_new_meta(FORMAT)['schema']}, layout {LAYOUT_VERSION})")
    elif int(meta.get("layout") or 0) < LAYOUT_VERSION:
        done.append(f"the ledger has the older layout {meta.get('layout')}: run inspect ledger upgrade")
    return done + grant_roles(conn, writer, reader)


def upgrade(conn: Any) -> list[str]:
    """``inspect ledger upgrade``: the one place the guards stand aside (for this transaction)."""
    from .files import FORMAT
    from .postgres import PgStore

    conn.execute("SET LOCAL inspect.upgrade = 'on'")
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('inspect-cli ledger init', 0))")
    store = PgStore(conn, writable=True)
    meta = store.meta()
    before = int(meta.get("layout") or 0)
    done = create_schema(conn)
    # (layout 1 is the first: later layouts add their steps here, each guarded by `before < N`)
    if before < LAYOUT_VERSION or not meta:
        store = PgStore(conn, writable=True)
        store.set_meta(dict(meta or {"format": FORMAT, "schema": 1}, layout=LAYOUT_VERSION))
        done.append(f"layout {before} → {LAYOUT_VERSION}")
    else:
        done.append(f"layout {LAYOUT_VERSION} is current; nothing to migrate")
    return done
