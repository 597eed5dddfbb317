"""``inspect report``: documents (文书), the hazard ledger (隐患台账) and the monthly bulletin."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import click

from ..hazard.lifecycle import STATES
from .complete import complete_sites
from ..reports.kinds import ALL_FORMATS as FORMAT_CHOICES, KINDS
from .options import (checklist_dir_option, date_value, emit_json, json_option, ledger_option, open_ledger, registry,
                      today_option)

if TYPE_CHECKING:
    from ..ledger import Ledger

KIND_CHOICES = (*KINDS, "list")  # list: the numbered documents issued


@click.command()
@click.argument("kind", type=click.Choice(KIND_CHOICES))
@click.argument("subject_id", metavar="[ID]", required=False)
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="html", show_default=True,
              help="pdf needs pip install 'inspect-cli[pdf]'; xlsx is for ledger and bulletin.")
@click.option("--out", type=click.Path(dir_okay=False), help="Output file [default: KIND-ID.FORMAT here].")
@click.option("--lang", type=click.Choice(["zh", "en"]), envvar="INSPECT_LANG", show_envvar=True,
              help="Labels in Chinese (authoritative) or English; content stays as recorded [default: setting lang].")
@click.option("--month", metavar="YYYY-MM", help="Month of the bulletin [default: this month].")
@click.option("--template-dir", type=click.Path(file_okay=False, exists=True),
              help="Folder of templates overriding the bundled ones by file name (sandboxed).")
@click.option("--form", type=click.Choice(["full", "strict"]), default="full", show_default=True,
              help="record/order/review: strict prints the official form alone, full adds the 附页 after it.")
@click.option("--correct", metavar="REASON",
              help="record/order/review: issue a corrected document with a new number that replaces the issued one.")
@click.option("--notes", type=click.Path(dir_okay=False, exists=True),
              help="bulletin: Markdown file with the sections 典型问题 and 下一步工作.")
@click.option("--status", multiple=True, type=click.Choice(STATES), help="ledger: filter by status (repeatable).")
@click.option("--severity", type=click.Choice(["general", "major"]), help="ledger: filter by severity.")
@click.option("--site", metavar="CODE", shell_complete=complete_sites, help="ledger: only this site.")
@click.option("--overdue", is_flag=True, help="ledger: only hazards past their deadline and not closed.")
@click.option("--due-before", metavar="DATE", help="ledger: only hazards with a deadline before DATE.")
@checklist_dir_option
@ledger_option
@today_option
@json_option
def report(kind: str, subject_id: Optional[str], fmt: str, out: Optional[str], lang: Optional[str], month: Optional[str],
           template_dir: Optional[str], status: tuple[str, ...], severity: Optional[str], site: Optional[str],
           overdue: bool, due_before: Optional[str], checklist_dirs: tuple[str, ...], ledger_path: Optional[str],
           today: Optional[str], as_json: bool, form: str = "full", correct: Optional[str] = None,
           notes: Optional[str] = None) -> None:
    """Render a report into a file and print its path.

    \b
    KIND and ID:
      record  INSPECTION_ID   现场检查记录 (on-site inspection record)
      order   INSPECTION_ID   责令限期整改指令书 (rectification order)
      review  INSPECTION_ID   整改复查意见书 (re-inspection opinion)
      closure HAZARD_ID|SITE  closure report: the whole history to 销号
      ledger                  隐患台账, with the filters of `hazard list`
      bulletin                月度通报 for --month YYYY-MM
      filing  CASE_ID         立案审批表 (case filing approval form)
      penalty CASE_ID         行政处罚决定书 (penalty decision)
      forest-notice INSPECTION_ID  森林草原火灾隐患整改通知书 (forest and grassland fire
                              findings, 822号 第三十三条; own number sequence)
      list                    the numbered documents issued (frozen: a reprint is identical)
    """
    from ..errors import UsageError
    from ..hazard.moves import HazardQuery
    from ..reports import check_kind_format, render_report

    if kind == "list":
        return _list(subject_id, ledger_path, today, as_json)
    filters_given = bool(status or severity or site or overdue or due_before)
    if filters_given and kind != "ledger":
        raise click.UsageError("--status/--severity/--site/--overdue/--due-before filter the ledger report only")
    if month and kind != "bulletin":
        raise click.UsageError("--month is for the bulletin report only")
    try:
        check_kind_format(kind, fmt, subject_id)
    except UsageError as e:
        raise click.UsageError(str(e)) from None
    ledger = open_ledger(ledger_path, today)
    query = HazardQuery(status=status, severity=severity, site=site.strip().upper() if site else None,
                        overdue=overdue, due_before=date_value(due_before, "--due-before")) if kind == "ledger" else None
    result = render_report(ledger, kind, subject_id, fmt=fmt, out=out, lang=lang or _default_lang(ledger),
                           month=month, template_dir=template_dir, query=query, registry=registry(checklist_dirs),
                           form=form, correct=correct, notes=notes)
    if as_json:
        emit_json({"out": result["out"], "kind": kind, "format": fmt, "number": result["number"],
                   **({"replaces": result["replaces"]} if result.get("replaces") else {})})
    else:
        click.echo(result["out"])


def _default_lang(ledger: Ledger) -> str:
    lang = ledger.settings().get("lang") if ledger.exists() else "zh"
    return "en" if lang == "en" else "zh"


def _list(subject_id: Optional[str], ledger_path: Optional[str], today: Optional[str], as_json: bool) -> None:
    """``inspect report list``: the numbered documents issued, oldest first."""
    if subject_id:
        raise click.UsageError("inspect report list takes no ID")
    docs = open_ledger(ledger_path, today).issued_documents()
    if as_json:
        emit_json({"documents": [d.as_json() for d in docs]})
        return
    if not docs:
        click.echo("no numbered document has been issued yet")
        return
    for d in docs:
        extra = f"  replaced by {d.replaced_by}" if d.replaced_by else (f"  replaces {d.replaces}" if d.replaces else "")
        click.echo(f"{d.date}  {d.kind:<6}  {d.number}  {d.subject}{extra}")
