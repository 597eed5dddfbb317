"""A fresh PostgreSQL database per test, on the server CI starts (``.ci/postgres.sh``).

``INSPECT_TEST_PG_URL`` names a server (a superuser URL); each test gets its own database,
dropped afterwards. Without it the test skips, unless ``INSPECT_TEST_PG_REQUIRED`` is set
(CI sets it): then a missing server or driver is a failure, so no PostgreSQL test can pass
by being skipped.
"""
from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit, urlunsplit

import pytest


def server_url() -> str:
    url = os.environ.get("INSPECT_TEST_PG_URL")
    required = os.environ.get("INSPECT_TEST_PG_REQUIRED") not in (None, "", "0")
    why = None
    if not url:
        why = "no PostgreSQL server for the tests (INSPECT_TEST_PG_URL is not set; .ci/run starts one)"
    else:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            why = "the PostgreSQL driver is not installed (pip install -e '.[postgres]')"
    if why:
        if required:
            pytest.fail(why + "; INSPECT_TEST_PG_REQUIRED is set, so this is a failure")
        pytest.skip(why)
    return str(url)


def with_database(url: str, db: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + db, parts.query, parts.fragment))


def admin(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url, autocommit=True)


def fresh_database(request: pytest.FixtureRequest) -> str:
    """The URL of a new, empty database, dropped when the test ends."""
    url = server_url()
    name = f"inspect_t_{secrets.token_hex(6)}"
    with admin(url) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')

    def drop() -> None:
        with admin(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    request.addfinalizer(drop)
    return with_database(url, name)


def role_url(url: str, role: str, password: str = "pw") -> str:
    """``url`` logging in as ``role`` (trust authentication on the test cluster)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{role}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
