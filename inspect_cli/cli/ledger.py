"""``inspect ledger``: what a ledger file holds, and migration between backends."""
from __future__ import annotations

from typing import Any, Optional

import click

from .options import emit_json, json_option, ledger_option
from .progress import quiet_option

BACKENDS = click.Choice(["tinydb", "sqlite"])


@click.group()
def ledger() -> None:
    """Ledger maintenance: info, backup, migration between backends, layout upgrade, a PostgreSQL ledger's init."""


@ledger.command("migrate")
@click.argument("src", metavar="FROM", type=click.Path(dir_okay=False))
@click.argument("dst", metavar="TO", type=click.Path(dir_okay=False))
@click.option("--from-backend", type=BACKENDS, help="Backend of FROM [default: by suffix, .sqlite/.db → sqlite].")
@click.option("--to-backend", type=BACKENDS, help="Backend of TO [default: by suffix].")
@json_option
@quiet_option
def migrate_cmd(src: str, dst: str, from_backend: Optional[str], to_backend: Optional[str], as_json: bool,
                quiet: bool) -> None:
    """Copy every record of FROM into the new ledger TO, then count and verify the copy.

    \b
    inspect ledger migrate ~/.local/share/inspect-cli/ledger.json bureau.sqlite
    inspect ledger migrate ledger.sqlite postgresql://admin@bureau-db/inspect
    FROM is not changed; TO must not exist (or be empty: a PostgreSQL ledger just made by
    `ledger init` is). Records stream in batches inside one transaction of TO, so a killed
    migrate leaves TO as it was. Exit 8 if the copy fails inspect verify.
    """
    from ..ledger import migrate, open_ledger
    from .progress import progress

    with progress("Copying", open_ledger(src, backend=from_backend).record_count(), quiet) as advance:
        copied = migrate(src, dst, from_backend, to_backend, advance)
    result = open_ledger(dst, backend=to_backend).verify()
    ok = not result["problems"]
    if as_json:
        emit_json({"from": src, "to": dst, "counts": copied, "verify": dict(result, ok=ok)})
    else:
        click.echo(f"Copied {src} → {dst}:")
        for table, n in copied.items():
            click.echo(f"  {table:<12} {n:>9}")
        for p in result["problems"]:
            click.echo(p, err=True)
        state = "OK" if ok else f"{len(result['problems'])} PROBLEM(S)"
        cases = f", {result['cases']} case(s) with {result['case_events']} event(s)" if result.get("cases") else ""
        click.echo(f"verify: {state}: {result['hazards']} hazard(s), {result['events']} event(s){cases} checked.",
                   err=not ok)
    if not ok:
        raise click.exceptions.Exit(8)


@ledger.command("backup")
@click.argument("dest", metavar="DEST", type=click.Path(dir_okay=False))
@click.option("--to-backend", type=BACKENDS, help="Backend of DEST [default: by suffix, .sqlite/.db → sqlite].")
@ledger_option
@json_option
def backup_cmd(dest: str, to_backend: Optional[str], ledger_path: Optional[str], as_json: bool) -> None:
    """Copy the ledger to DEST with its evidence, consistently, then verify the copy.

    \b
    inspect ledger backup /media/usb/ledger-2026-03-31.json
    The copy is made under the ledger's lock (an SQLite ledger through SQLite's backup API);
    DEST.evidence/ receives the evidence files. DEST must not exist. Exit 8 if the copy fails
    inspect verify; the ledger itself is never changed.
    """
    from .options import open_ledger

    from pathlib import Path

    result = open_ledger(ledger_path).backup(Path(dest), to_backend)
    check = result["verify"]
    ok = not check["problems"]
    if as_json:
        emit_json({"to": result["to"], "counts": result["counts"], "verify": dict(check, ok=ok)})
    else:
        held = ", ".join(f"{n} {t}" for t, n in result["counts"].items() if n)
        click.echo(f"Backed up to {result['to']}: {held}.")
        for p in check["problems"]:
            click.echo(p, err=True)
        state = "OK" if ok else f"{len(check['problems'])} PROBLEM(S)"
        click.echo(f"verify: {state}: {check['hazards']} hazard(s), {check['events']} event(s) checked.", err=not ok)
    if not ok:
        raise click.exceptions.Exit(8)


@ledger.command("info")
@click.option("--backend", type=BACKENDS, help="Backend of the ledger [default: by suffix].")
@ledger_option
@json_option
def info(backend: Optional[str], ledger_path: Optional[str], as_json: bool) -> None:
    """Show the ledger's file, backend, schema, records per table and size on disk."""
    data = ledger_info(ledger_path, backend)
    if as_json:
        emit_json(data)
        return
    click.echo(f"Ledger:  {data['path']}{'' if data['exists'] else ' (not created yet)'}")
    click.echo(f"Backend: {data['backend']}   schema: {data['schema']}   size: {_size(data['bytes'])}")
    for table, n in data["counts"].items():
        click.echo(f"  {table:<12} {n:>9}")


def ledger_info(ledger_path: Optional[str], backend: Optional[str] = None) -> dict[str, Any]:
    from ..ledger import open_ledger

    return open_ledger(ledger_path, backend=backend).info()


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


@ledger.command("init")
@click.argument("url", metavar="URL")
@click.option("--writer-role", default="inspect_writer", show_default=True, metavar="NAME",
              help="Role of inspectors: add records, change hazard projections, never change history.")
@click.option("--reader-role", default="inspect_reader", show_default=True, metavar="NAME",
              help="Role of analysts and replicas: read only.")
@json_option
def init_cmd(url: str, writer_role: str, reader_role: str, as_json: bool) -> None:
    """Create a PostgreSQL ledger: schema, tables, guards and roles; print what was done.

    \b
    inspect ledger init postgresql://postgres@bureau-db/inspect
    Run it as the database user who will own the ledger (it may create roles). Running it
    again changes nothing that is there and repairs what is missing.
    """
    from ..ledger import init_server

    done = init_server(url, writer_role, reader_role)
    if as_json:
        emit_json({"ledger": done["ledger"], "writer_role": writer_role, "reader_role": reader_role, "done": done["done"]})
        return
    click.echo(f"Ledger {done['ledger']}:")
    for line in done["done"]:
        click.echo(f"  {line}")


@ledger.command("upgrade")
@click.argument("url", metavar="[URL|FILE]", required=False)
@click.option("--rebuild", is_flag=True, help="SQLite: recompute every indexed column from its record (repairing "
              "columns that inspect verify says disagree) and rebuild every index.")
@ledger_option
@json_option
@quiet_option
def upgrade_cmd(url: Optional[str], rebuild: bool, ledger_path: Optional[str], as_json: bool, quiet: bool) -> None:
    """Bring a ledger's layout up to this version: a PostgreSQL ledger (as its owner) or an SQLite file.

    \b
    inspect ledger upgrade postgresql://admin@bureau-db/inspect
    inspect ledger upgrade --ledger bureau.sqlite [--rebuild]
    One transaction: an error or Ctrl-C changes nothing. A PostgreSQL ledger of an older
    layout is refused by readers until its owner runs this. An SQLite ledger is also brought
    up to date by the first command that opens it; this does it explicitly, with a progress
    bar, and --rebuild recomputes its indexed columns from the records and rebuilds its
    indexes (about a minute for 360k hazards). A TinyDB ledger needs no upgrade (exit 0).
    """
    from ..ledger import open_ledger, upgrade_server
    from .progress import progress

    target = url or ledger_path
    ledger = open_ledger(target)
    if ledger.kind == "postgresql":
        if rebuild:
            from ..errors import UsageError

            raise UsageError("--rebuild is for an SQLite ledger file; a PostgreSQL ledger's columns are kept by "
                             "the server itself")
        done = upgrade_server(target)
    else:
        with progress("Rebuilding" if rebuild else "Upgrading", ledger.upgrade_work(rebuild), quiet) as advance:
            done = ledger.upgrade(rebuild, advance)
    if as_json:
        emit_json(done)
        return
    click.echo(f"Ledger {done['ledger']}:")
    lines = list(done["done"])
    if done.get("backend") == "sqlite":
        was, now = done["layout_before"], done["layout"]
        click.echo(f"  layout {was} → {now}" if was != now else f"  layout {now} (current)")
        lines = lines or ["nothing to do: the layout is current"]
    for line in lines:
        click.echo(f"  {line}")
