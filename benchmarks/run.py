"""Measure inspect-cli commands on synthetic ledgers, each call a fresh process.

    python benchmarks/run.py                       # 1k, 10k, 100k, 360k × sqlite, tinydb (long)
    python benchmarks/run.py --quick               # 1k and 10k, 2 runs: a smoke run
    python benchmarks/run.py --sizes 1k,5k,20k --backends tinydb --runs 3
    INSPECT_BENCH_PG_URL=postgresql://me@127.0.0.1/postgres python benchmarks/run.py --sizes 100k   # migrate into PostgreSQL

Ledgers are generated once into --workdir (benchmarks/generate.py) and copied before the
commands that change them. Each command is run --runs times; the table shows the median
wall time and the largest peak RSS (``os.wait4`` of the child). Results are merged into
``WORKDIR/results.json`` so sizes can be measured in separate runs, and
``docs/performance.md`` is rewritten from all of them.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TODAY = "2026-12-20"
SIZES = {"1k": 1_000, "2k": 2_000, "5k": 5_000, "10k": 10_000, "20k": 20_000, "50k": 50_000,
         "100k": 100_000, "360k": 360_000}
SUFFIX = {"sqlite": ".sqlite", "tinydb": ".json"}
INSPECTORS = ["--inspector", "张伟:44010012345", "--inspector", "李娜:44010067890"]
BATCH = 10_000
COMMANDS = [  # (key, label)
    ("pass", "`python -c pass` (the floor of any Python command)"),
    ("help", "`inspect --help`"), ("version", "`inspect --version`"),
    ("run", "add one inspection with one hazard (`run --answers`)"), ("interim", "one hazard change (`hazard interim`)"),
    ("extend", "`hazard extend`"), ("fixed", "`hazard fixed`"),
    ("close", "close one hazard (`reinspect hazard --pass`, 2 inspectors, evidence)"),
    ("show", "`hazard show ID` (table)"), ("show_json", "`hazard show ID --json`"),
    ("overdue", "`hazard list --overdue --severity major --limit 50` (table)"),
    ("overdue_json", "`hazard list --overdue --severity major --limit 50 --json`"),
    ("page", "`hazard list --overdue` (the table: first page)"),
    ("stats", "`stats` (table)"), ("stats_json", "`stats --json`"),
    ("bulletin", "`report bulletin` of the current month (2026-12), html"),
    ("bulletin_past", "`report bulletin --month 2026-11`, html"),
    ("bulletin_june", "`report bulletin --month 2026-06`, html"),
    ("plan", "`reinspect plan` (all active hazards)"), ("apply", f"`reinspect apply` of {BATCH:,} rows"),
    ("audit", "`audit --json`"), ("verify", "`verify`"),
    ("export", "`export`"), ("import", "`import` of that bundle into a new ledger"),
    ("migrate", "`ledger migrate` to the other backend (SQLite: to PostgreSQL with INSPECT_BENCH_PG_URL)"),
]
# Single-hazard commands: measured alternately with `inspect --version` (same load), ratio reported.
SINGLE = ("interim", "extend", "fixed", "close", "show", "show_json", "overdue", "overdue_json", "page")
# Whole-ledger commands: the scaling table.
WHOLE = ("stats", "stats_json", "bulletin", "bulletin_past", "bulletin_june", "plan", "audit", "verify", "export",
         "import", "migrate")


def inspect_exe() -> str:
    exe = Path(sys.executable).with_name("inspect")
    return str(exe) if exe.exists() else "inspect"


def measure(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, int, str]:
    """(seconds, peak RSS in KiB, exit code, stderr tail) of one fresh process.

    The child is started by /usr/bin/time (a small process), because a child forked from this
    one would report this process's memory as its own peak before its exec."""
    report = cwd / ".time"
    wrapper = ["/usr/bin/time", "-f", "%M", "-o", str(report)] if Path("/usr/bin/time").exists() else []
    t0 = time.perf_counter()
    p = subprocess.run(wrapper + args, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    secs = time.perf_counter() - t0
    kib = 0
    if wrapper:
        kib = int(report.read_text().strip().splitlines()[-1] or 0) if report.exists() else 0
        code = p.returncode
    else:
        code = p.returncode
    return secs, kib, code, p.stderr.decode("utf-8", "replace")[-300:]


def timed(name: str, argv_for_run: Any, runs: int, env: dict[str, str], cwd: Path,
          codes: tuple[int, ...] = (0,), beside: Optional[list[str]] = None) -> dict[str, Any]:
    """``runs`` fresh processes; with ``beside`` (the --version command) each run is preceded by
    one run of it, so the ratio compares the two under the same load."""
    times, rss, errors, ratios = [], [], [], []
    for i in range(runs):
        base = measure(beside, env, cwd)[0] if beside else None
        secs, kib, code, err = measure(argv_for_run(i), env, cwd)
        if code not in codes:
            errors.append(f"exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}")
            break
        times.append(secs)
        rss.append(kib)
        if base:
            ratios.append(secs / base)
    out: dict[str, Any] = {"runs": len(times)}
    if times:
        out.update(median=statistics.median(times), min=min(times), max_rss_mb=max(rss) / 1024)
    if ratios:
        out["ratio"] = statistics.median(ratios)
    if errors:
        out["error"] = errors[0]
    ratio = f"  {out['ratio']:.2f}× --version" if "ratio" in out else ""
    print(f"  {name:<13} {out.get('median', float('nan')):8.3f} s  {out.get('max_rss_mb', 0):7.1f} MB{ratio}"
          f"  {out.get('error', '')}", flush=True)
    return out


def available(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def ensure_ledger(workdir: Path, size: str, backend: str) -> Path:
    path = workdir / f"g{size}{SUFFIX[backend]}"
    if not path.exists():
        print(f"generating {path} …", flush=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--hazards", str(SIZES[size]), "--out", str(path),
                        "--today", TODAY], check=True)
    return path


TINYDB_MAX = 20_000  # the largest ledger migrated into a TinyDB file (its size hint starts near there)


def copy_ledger(src: Path, dst: Path) -> None:
    """A ledger with what lies beside it: a TinyDB ledger's table files (``NAME.tables/``), the evidence folder."""
    shutil.copyfile(src, dst)
    for beside in ("tables", "evidence"):  # a ledger's evidence files travel with it (export, migrate)
        folder = src.parent / f"{src.stem}.{beside}"
        if folder.is_dir():
            shutil.copytree(folder, dst.parent / f"{dst.stem}.{beside}")


def ledger_bytes(path: Path) -> int:
    tables = path.parent / f"{path.stem}.tables"
    return path.stat().st_size + (sum(f.stat().st_size for f in tables.iterdir()) if tables.is_dir() else 0)


def pick(path: Path, backend: str, n: int) -> dict[str, Any]:
    """Hazards and a site for the commands to act on (read once, in-process)."""
    from inspect_cli.storage import open_backend

    with open_backend(path, backend).read() as st:
        fixed = [h["id"] for h in st.find("hazards", {"status": "fixed"}, limit=n)]
        active = [h["id"] for h in st.find("hazards", {"status": "open"}, limit=2 * n)]
        site = st.find("sites", limit=1)[0]
    return {"fixed": fixed, "active": active, "site": site}


def answers_file(folder: Path, site: dict[str, Any]) -> tuple[str, Path]:
    """A complete answers file for the site's checklist with one failing general item."""
    sys.path.insert(0, str(HERE))
    from generate import CHECKLIST_FOR, Templates, _failing, _passing

    from inspect_cli.inspection import answers as inspection

    t = Templates()
    cid = CHECKLIST_FOR[site["industry"]]
    c = t.checklists[cid]
    units = t.units(cid)
    walked = inspection.walk(c, site, dt.date.fromisoformat(TODAY), units,
                             lambda s, so: inspection.normalise_answer(s.item, {"answer": _passing(s.item)}))
    answers = {k: v["answer"] for k, v in walked.items()}
    step = next(s for s in inspection.steps(c, units) if s.key in walked and s.item.severity == "general"
                and s.item.type != "text" and not s.item.evidence_required)
    answers[step.key] = {"answer": _failing(step.item)}
    path = folder / "answers.yaml"
    path.write_text(json.dumps({"units": units, "answers": answers}, ensure_ascii=False), encoding="utf-8")
    return cid, path


def fill_plan(plan: Path, n: int) -> int:
    """Fill in the first n rows that can be re-inspected: pass (with evidence for majors)."""
    rows = list(csv.DictReader(plan.read_text(encoding="utf-8-sig").splitlines()))
    chosen = [r for r in rows if r["status"] == "fixed" or r["current_deadline"] <= TODAY][:n]
    for r in chosen:
        r["result"] = "pass"
        r["evidence"] = "photo.jpg" if r["severity"] == "major" else ""
    with plan.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else ["hazard_id", "result"])
        w.writeheader()
        w.writerows(chosen)
    return len(chosen)


def bench(workdir: Path, size: str, backend: str, runs: int) -> dict[str, Any]:
    src = ensure_ledger(workdir, size, backend)
    folder = workdir / f"run-{size}-{backend}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ledger = folder / f"ledger{SUFFIX[backend]}"
    copy_ledger(src, ledger)
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff" + b"0" * 2048)
    env = dict(os.environ, INSPECT_TODAY=TODAY, INSPECT_USER="bench", INSPECT_LEDGER=str(ledger),
               XDG_STATE_HOME=str(folder / "state"), INSPECT_LOCK_TIMEOUT="600")
    exe = inspect_exe()
    targets = pick(ledger, backend, 3 * runs)
    cid, answers = answers_file(folder, targets["site"])
    print(f"{size} {backend}: {ledger} ({ledger_bytes(ledger) / 2**20:.0f} MiB)", flush=True)
    res: dict[str, Any] = {"bytes": ledger_bytes(ledger), "hazards": SIZES[size]}
    r = lambda args: (lambda i: [exe, *args])  # noqa: E731
    version = [exe, "--version"]
    only = set(os.environ.get("BENCH_ONLY", "").split(",")) - {""}

    def want(key: str) -> bool:
        return not only or key in only

    def active(i: int) -> str:
        return str(targets["active"][i % len(targets["active"])])

    if want("pass"):
        res["pass"] = timed("pass", lambda i: [sys.executable, "-c", "pass"], runs, env, folder)
    res["help"] = timed("help", r(["--help"]), runs, env, folder)
    res["version"] = timed("version", r(["--version"]), runs, env, folder)
    if want("run"):
        res["run"] = timed("run", r(["run", cid, "--site", targets["site"]["code"], *INSPECTORS, "--answers",
                                     str(answers)]), runs, env, folder)
    if want("interim"):
        res["interim"] = timed("interim", lambda i: [exe, "hazard", "interim", active(i), "--measures", "设置警戒线"],
                               runs, env, folder, beside=version)
    if want("extend"):
        res["extend"] = timed("extend", lambda i: [exe, "hazard", "extend", active(i + runs), "--to", "2027-06-30",
                                                   "--reason", "设备采购周期"], runs, env, folder, beside=version)
    if want("fixed"):
        res["fixed"] = timed("fixed", lambda i: [exe, "hazard", "fixed", active(i + 2 * runs), "--note", "已整改"],
                             runs, env, folder, beside=version)
    if want("close") and len(targets["fixed"]) >= runs:
        res["close"] = timed("close", lambda i: [exe, "reinspect", "hazard", targets["fixed"][i], "--pass", *INSPECTORS,
                                                 "--evidence", "photo.jpg"], runs, env, folder, beside=version)
    for key, extra in (("show", []), ("show_json", ["--json"])):
        if want(key):
            res[key] = timed(key, lambda i, extra=extra: [exe, "hazard", "show", active(0), *extra], runs, env, folder,
                             beside=version)
    for key, extra in (("overdue", []), ("overdue_json", ["--json"])):
        if want(key):
            res[key] = timed(key, r(["hazard", "list", "--overdue", "--severity", "major", "--limit", "50", *extra]),
                             runs, env, folder, beside=version)
    if want("page"):
        res["page"] = timed("page", r(["hazard", "list", "--overdue"]), runs, env, folder, beside=version)
    whole_runs = max(1, min(runs, 3))
    for key, extra in (("stats", []), ("stats_json", ["--json"])):
        if want(key):
            res[key] = timed(key, r(["stats", *extra]), whole_runs, env, folder)
    for key, month in (("bulletin", "2026-12"), ("bulletin_past", "2026-11"), ("bulletin_june", "2026-06")):
        if want(key):
            res[key] = timed(key, r(["report", "bulletin", "--month", month, "--format", "html",
                                     "--out", str(folder / f"bulletin-{month}.html")]), whole_runs, env, folder)
    plan = folder / "plan.csv"
    if want("plan"):
        res["plan"] = timed("plan", r(["reinspect", "plan", "--out", str(plan)]), whole_runs, env, folder)
    if want("audit"):
        res["audit"] = timed("audit", r(["audit", "--json", "--quiet"]), 1, env, folder, codes=(0, 1))
    if want("verify"):
        res["verify"] = timed("verify", r(["verify"]), 1, env, folder, codes=(0, 8))
    if want("apply") and plan.exists():
        res["batch_rows"] = fill_plan(plan, BATCH)
        res["apply"] = timed("apply", r(["reinspect", "apply", str(plan), *INSPECTORS, "--json"]), 1, env, folder)
    if want("export") and available("inspect_cli.cli.sync"):
        bundle = folder / "bundle"
        res["export"] = timed("export", r(["export", "--out", str(bundle)]), 1, env, folder)
        if want("import"):
            res["import"] = timed("import", lambda i: [exe, "import", str(bundle), "--ledger",
                                                       str(folder / f"imported{SUFFIX[backend]}")], 1, env, folder)
    if want("migrate"):
        pg = os.environ.get("INSPECT_BENCH_PG_URL")
        if backend == "sqlite" and pg:  # a city's ledger moves to the bureau's server, not to a laptop file
            sys.path.insert(0, str(HERE))
            from pg import database  # a fresh scratch database, as benchmarks/pg.py makes them

            target = database(pg, f"bench_migrate_{size}")
        elif backend == "sqlite" and SIZES[size] > TINYDB_MAX:
            target = ""  # TinyDB holds a table in memory while it writes: not a city's ledger (docs/ledger.md)
        else:
            target = str(folder / f"migrated{SUFFIX['tinydb' if backend == 'sqlite' else 'sqlite']}")
        if target:
            res["migrate"] = timed("migrate", r(["ledger", "migrate", str(ledger), target, "--json", "--quiet"]), 1,
                                   env, folder)
    if not os.environ.get("BENCH_KEEP"):
        shutil.rmtree(folder, ignore_errors=True)
    return res


def machine() -> str:
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB RAM"
    except OSError:
        pass
    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                   if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import sqlite3

    return (f"{os.cpu_count()} CPU(s) {cpu}, {mem}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


def cell(res: Optional[dict[str, Any]], key: str) -> str:
    if res is None:
        return "not measured"
    m = res.get(key)
    if m is None:
        return "—"
    if "median" not in m:
        return f"failed ({m.get('error', '?')})"
    t = m["median"]
    time_s = f"{t * 1000:.0f} ms" if t < 1 else f"{t:.1f} s"
    ratio = f" ({m['ratio']:.1f}× `--version`)" if "ratio" in m else ""
    return f"{time_s} / {m['max_rss_mb']:.0f} MB{ratio}"


def render(results: dict[str, Any], out: Path, command: str) -> None:
    sizes = [s for s in SIZES if any(k.startswith(f"{s}/") for k in results)]
    main_sizes = {"sqlite": ("1k", "10k", "100k", "360k"), "tinydb": ("1k", "5k", "10k", "100k")}
    lines = [HEADER.format(machine=results.get("_machine", machine()), command=command,
                           date=results.get("_date", dt.date.today().isoformat())).rstrip(), ""]
    for backend in [b for b in ("sqlite", "tinydb") if any(k.endswith(f"/{b}") for k in results)]:
        cols = sorted(set(main_sizes[backend]) | {s for s in sizes if f"{s}/{backend}" in results}, key=lambda s: SIZES[s])
        lines += [f"### {backend}", "",
                  "| command | " + " | ".join(f"{s} hazards" for s in cols) + " |",
                  "|---|" + "---|" * len(cols)]
        rows = [("ledger file", None)] + COMMANDS
        for key, label in rows:
            cells = []
            for s in cols:
                r = results.get(f"{s}/{backend}")
                if key == "ledger file":
                    cells.append("not measured" if r is None else f"{r['bytes'] / 2**20:.0f} MiB")
                else:
                    cells.append(cell(r, key))
            lines.append(f"| {label if key != 'ledger file' else 'ledger file size'} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += scaling(results)
    lines.append(FOOTER.rstrip())
    kept = ""
    if out.exists():  # hand-written analysis below the marker survives a re-run
        text = out.read_text(encoding="utf-8")
        if NOTES in text:
            kept = "\n" + text[text.index(NOTES):]
    out.write_text("\n".join(lines) + "\n" + kept, encoding="utf-8")


def scaling(results: dict[str, Any]) -> list[str]:
    """Whole-ledger commands on SQLite by size: time, memory, and growth from the size before."""
    sizes = [s for s in ("10k", "100k", "360k")]
    lines = ["### Scaling of whole-ledger commands (SQLite)", "",
             "Growth: time at this size ÷ time at the previous size (the ledger grows 10× then 3.6×). "
             "Near-linear work grows by about the size factor; bounded memory stays flat.", "",
             "| command | " + " | ".join(f"{s}" for s in sizes) + " | growth 10k→100k | growth 100k→360k |",
             "|---|" + "---|" * (len(sizes) + 2)]
    label = dict(COMMANDS)
    for key in WHOLE:
        cells, medians = [], []
        for s in sizes:
            r = results.get(f"{s}/sqlite")
            cells.append(cell(r, key))
            m = (r or {}).get(key) or {}
            medians.append(m.get("median"))
        growth = [f"{b / a:.1f}×" if a and b else "—" for a, b in zip(medians, medians[1:])]
        lines.append(f"| {label[key]} | " + " | ".join(cells) + " | " + " | ".join(growth) + " |")
    return lines + [""]


NOTES = "<!-- analysis: kept when run.py rewrites the tables above -->"
HEADER = """# Performance

Measured by `benchmarks/run.py` on {date}: each command is a fresh `inspect` process on a
synthetic ledger from `benchmarks/generate.py` (a city's year in proportion: 1.21
inspections per hazard with full answer records, ~2–3 % major hazards, event histories
made by the real hazard functions, so `inspect verify` passes). Cells: **median wall time
(its ratio to `inspect --version` in the same run) / peak memory (max RSS)**. "not measured": that size was not run; "—": the command does not
exist yet in this version.

Machine: {machine}. The machine is shared: other test runs used the two cores at the same
time, so single numbers can be noisy; medians of several runs are reported.

Reproduce (generates the ledgers into /tmp/inspect-bench, then rewrites this file):

    {command}
"""

FOOTER = """
Notes

- "add one inspection" runs a whole checklist from an answers file with one failing item:
  one inspection record and one hazard with its first event are written.
- The batch re-inspection row is one `reinspect apply` of a plan with up to 10,000 rows
  filled in as pass (fewer at small sizes: only hazards that can be re-inspected).
- Single-hazard rows give, in brackets, the median of (command ÷ `inspect --version`) with
  the two run alternately, so both see the same load.
- Targets (issue 14): SQLite at 360k — single-hazard commands in every form within 2×
  `inspect --version`; `stats` ≤ 2 s, the bulletin of any month ≤ 3 s, `reinspect plan`
  ≤ 3 s, each ≤ 150 MB; export, import, verify, audit and migrate ≤ 300 MB;
  `inspect --help` ≤ 5× `python -c pass`. (Issue 7: 10,000-row batch < 10 s; TinyDB at
  5k — single-hazard commands < 0.3 s.)
- Targets (issue 15): TinyDB at 5k hazards, `hazard show`, the first page of `hazard list
  --overdue`, `hazard fixed`, `reinspect hazard --pass` and `run --answers` each ≤ 5×
  `inspect --version`; at 10k ≤ 8×, peak memory ≤ 100 MB.
"""


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1k,10k,100k,360k", help=f"comma-separated, of {', '.join(SIZES)}")
    ap.add_argument("--backends", default="sqlite,tinydb")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="1k and 10k, 2 runs")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/inspect-bench"))
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    a = ap.parse_args(argv)
    if a.quick:
        a.sizes, a.runs = "1k,10k", 2
    a.workdir.mkdir(parents=True, exist_ok=True)
    store = a.workdir / "results.json"
    results = json.loads(store.read_text()) if store.exists() else {}
    for size in a.sizes.split(","):
        for backend in a.backends.split(","):
            # a partial run (BENCH_ONLY) replaces only the rows it measured
            results[f"{size}/{backend}"] = {**results.get(f"{size}/{backend}", {}),
                                            **bench(a.workdir, size, backend, a.runs)}
            results["_machine"], results["_date"] = machine(), dt.date.today().isoformat()
            store.write_text(json.dumps(results, indent=1))
            render(results, a.out, "python benchmarks/run.py --sizes 1k,10k,100k,360k --backends sqlite,tinydb")
    return 0


if __name__ == "__main__":
    sys.exit(main())
