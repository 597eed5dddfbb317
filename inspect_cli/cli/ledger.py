"""``inspect ledger``: what a ledger file holds, and migration between backends."""
from __future__ import annotations

from typing import Any, Optional

import click

from .options import emit_json, json_option, ledger_option

BACKENDS = click.Choice(["tinydb", "sqlite"])


@click.group()
def ledger() -> None:
    """Ledger maintenance: info, backup, and migration between the TinyDB (JSON) and SQLite backends."""


@ledger.command("migrate")
@click.argument("src", metavar="FROM", type=click.Path(dir_okay=False))
@click.argument("dst", metavar="TO", type=click.Path(dir_okay=False))
@click.option("--from-backend", type=BACKENDS, help="Backend of FROM [default: by suffix, .sqlite/.db → sqlite].")
@click.option("--to-backend", type=BACKENDS, help="Backend of TO [default: by suffix].")
@json_option
def migrate_cmd(src: str, dst: str, from_backend: Optional[str], to_backend: Optional[str], as_json: bool) -> None:
    """Copy every record of FROM into the new ledger TO, then count and verify the copy.

    \b
    inspect ledger migrate ~/.local/share/inspect-cli/ledger.json bureau.sqlite
    FROM is not changed; TO must not exist (or be empty). Exit 8 if the copy fails inspect verify.
    """
    from ..ledger import migrate, open_ledger

    copied = migrate(src, dst, from_backend, to_backend)
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
