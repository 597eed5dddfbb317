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

from .pglayout import LAYOUT_VERSION, META_TABLE, SCHEMA, add_columns, create_schema, ident, new_meta

# Tables the writer may UPDATE (projections and bookkeeping); the guards still refuse what is permanent.
WRITER_UPDATES = ("sites", "inspections", "hazards", "settings", "draws", "documents", "imports", "conflicts", "cases")


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
    from .postgres import PgStore

    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('inspect-cli ledger init', 0))")
    done = create_schema(conn)
    store = PgStore(conn, writable=True)
    meta = store.meta()
    if not meta:
        store.set_meta(new_meta(FORMAT))
        done.append(f"wrote the ledger metadata (schema {new_meta(FORMAT)['schema']}, layout {LAYOUT_VERSION})")
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
    done = []
    if before < 2:  # layout 2: the generated columns of the tallies (before their indexes are made)
        done += add_columns(conn)
    done = create_schema(conn) + done
    if before < LAYOUT_VERSION or not meta:
        store = PgStore(conn, writable=True)
        store.set_meta(dict(meta or {"format": FORMAT, "schema": 1}, layout=LAYOUT_VERSION))
        done.append(f"layout {before} → {LAYOUT_VERSION}")
    else:
        done.append(f"layout {LAYOUT_VERSION} is current; nothing to migrate")
    return done
