"""The ``inspect`` command: a lazily loaded group of command families and the error boundary."""
from __future__ import annotations

import importlib
import errno
import os
import sys
from typing import Any, Optional

import click

from .. import __version__

COMMANDS = {
    "checklist": ("inspect_cli.cli.checklist", "checklist", "List, show and validate checklists."),
    "site": ("inspect_cli.cli.site", "site", "Register and list inspected sites (被检查单位)."),
    "run": ("inspect_cli.cli.run", "run", "Run a checklist at a site: an inspection (现场检查)."),
    "inspection": ("inspect_cli.cli.inspection", "inspection", "List inspections and show one: answers, findings, documents."),
    "hazard": ("inspect_cli.cli.hazard", "hazard", "List, show and move hazards (隐患) through rectification."),
    "case": ("inspect_cli.cli.case", "case", "Administrative cases (行政处罚案件): 立案 to 结案."),
    "reinspect": ("inspect_cli.cli.reinspect", "reinspect", "Re-inspect hazards (复查): on site, one, or in batch."),
    "verify": ("inspect_cli.cli.verify", "verify", "Check the ledger's hash-chained history for tampering."),
    "config": ("inspect_cli.cli.config", "config", "Show and change the organisation's settings in the ledger."),
    "report": ("inspect_cli.cli.report", "report", "Render documents, the hazard ledger and the monthly bulletin."),
    "stats": ("inspect_cli.cli.stats", "stats", "Statistics of inspections and hazards, with gates for scripts."),
    "sample": ("inspect_cli.cli.sample", "sample", "双随机 and 回头看: draw sites, inspectors or closed hazards reproducibly."),
    "plan": ("inspect_cli.cli.plan", "plan", "分级分类: the annual enforcement plan by risk class, and its progress."),
    "campaign": ("inspect_cli.cli.campaign", "campaign", "专项整治: campaigns from a YAML file, their status and report."),
    "export": ("inspect_cli.cli.sync", "export_cmd", "Export a bundle of the ledger for merging."),
    "import": ("inspect_cli.cli.sync", "import_cmd", "Import a bundle into the ledger (idempotent merge)."),
    "sync": ("inspect_cli.cli.ledger_sync", "sync_cmd", "Exchange records with another ledger (laptop ⇄ bureau)."),
    "conflicts": ("inspect_cli.cli.conflicts", "conflicts", "List and resolve conflicts between laptops' ledgers."),
    "seal": ("inspect_cli.cli.verify", "seal", "Seal the case record: a digest to keep outside the ledger."),
    "audit": ("inspect_cli.cli.audit", "audit", "Data-quality audit: copied, down-graded or unsupported records."),
    "demo": ("inspect_cli.cli.demo", "demo", "Build a demo ledger and render every report."),
    "ledger": ("inspect_cli.cli.ledger", "ledger", "Ledger maintenance: info, backup, migrate between backends."),
}


class LazyGroup(click.Group):
    """Imports a command family only when it is run (or when --help lists it)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> Optional[click.Command]:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help comes from the table above, so `inspect --help` imports no command module.
        rows = [(n, COMMANDS[n][2]) for n in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="inspect-cli")
def cli() -> None:
    """inspect-cli — checklists, hazard ledger and documents for work-safety inspection.

    \b
    Start with:   inspect demo --out demo        (the whole loop, with reports)
                  inspect checklist list
    Exit codes:   0 ok, 1 invalid/flagged, 2 usage, 3 not found, 4 bad input,
                  5 illegal state change, 6 ledger unreadable, 7 ledger busy,
                  8 integrity, 9 report, 70 internal error, 130 interrupted.
    """


def main(argv: Optional[list[str]] = None) -> int:
    """Run the CLI; every expected error becomes one message and a documented exit code."""
    try:
        rv = cli.main(args=argv, prog_name="inspect", standalone_mode=False)
        # without standalone mode click returns an Exit's code instead of raising it
        return rv if isinstance(rv, int) else 0
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.exceptions.Abort:
        click.echo("Interrupted.", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except OSError as e:
        if e.filename is not None and e.errno in _FILE_ERRNOS:
            return report_file_error(e)
        return report_bug(e)
    except Exception as e:  # the one boundary: our errors get a message, bugs get a log
        from ..errors import InspectError

        if isinstance(e, InspectError):
            return report_error(e)
        return report_bug(e)


# What the machine says about a file a command was told to use (an --out in a missing or
# read-only folder, a full disk): the user's to mend, not a bug.
_FILE_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.EACCES, errno.EPERM,
                          errno.EROFS, errno.ENOSPC, errno.EDQUOT})


def report_file_error(e: OSError) -> int:
    """Exit 6, naming the file, or its folder when the file was a temporary one beside it."""
    path = os.fsdecode(e.filename)
    name = os.path.basename(path)
    if name.endswith((".tmp", ".part")):  # written under a temp name, renamed when complete
        what = f"cannot write into the folder {os.path.dirname(path) or '.'}"
    else:
        what = f"cannot use {path}"
    click.echo(f"Error: {what}: {e.strerror}; nothing was written there.", err=True)
    return 6


def report_error(e: Any) -> int:
    click.echo(f"Error: {e}", err=True)
    for problem in getattr(e, "problems", []) or []:
        if problem != str(e):
            click.echo(f"  {problem}", err=True)
    return int(e.exit_code)


def report_bug(e: BaseException) -> int:
    import traceback

    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    log = os.path.join(base, "inspect-cli", "crash.log")
    try:
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"--- inspect-cli {__version__} {sys.argv!r}\n{traceback.format_exc()}\n")
        where = f"the traceback is in {log}"
    except OSError:
        where = "the traceback could not be written"
    click.echo(f"Internal error: {type(e).__name__}: {e}. This is a bug in inspect-cli; {where}. "
               "Please report it with that file.", err=True)
    return 70
