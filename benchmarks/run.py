"""Measure inspect-cli commands on synthetic ledgers, each call a fresh process.

    python benchmarks/run.py                       # 1k, 10k, 100k, 360k × sqlite, tinydb (long)
    python benchmarks/run.py --quick               # 1k and 10k, 2 runs: a smoke run
    python benchmarks/run.py --sizes 1k,5k,20k --backends tinydb --runs 3

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
    ("help", "`inspect --help`"), ("version", "`inspect --version`"),
    ("run", "add one inspection with one hazard (`run --answers`)"), ("interim", "one hazard change (`hazard interim`)"),
    ("fixed", "report one hazard fixed (`hazard fixed`)"),
    ("close", "close one hazard (`reinspect hazard --pass`, 2 inspectors, evidence)"),
    ("show", "`hazard show ID --json`"), ("overdue", "`hazard list --overdue --severity major --limit 50 --json`"),
    ("page", "`hazard list --overdue` (the table: first page)"),
    ("stats", "`stats`"), ("bulletin", "`report bulletin --month 2026-11 --format html`"),
    ("plan", "`reinspect plan` (all active hazards)"), ("apply", f"`reinspect apply` of {BATCH:,} rows"),
    ("export", "`export`"), ("import", "`import` of that bundle into a new ledger"),
]


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


def timed(name: str, argv_for_run: Any, runs: int, env: dict[str, str], cwd: Path) -> dict[str, Any]:
    times, rss, errors = [], [], []
    for i in range(runs):
        secs, kib, code, err = measure(argv_for_run(i), env, cwd)
        if code != 0:
            errors.append(f"exit {code}: {err.strip().splitlines()[-1] if err.strip() else ''}")
            break
        times.append(secs)
        rss.append(kib)
    out: dict[str, Any] = {"runs": len(times)}
    if times:
        out.update(median=statistics.median(times), min=min(times), max_rss_mb=max(rss) / 1024)
    if errors:
        out["error"] = errors[0]
    print(f"  {name:<9} {out.get('median', float('nan')):8.3f} s  {out.get('max_rss_mb', 0):7.1f} MB"
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


def copy_ledger(src: Path, dst: Path) -> None:
    """A ledger with what lies beside it: a TinyDB ledger's table files (``NAME.tables/``)."""
    shutil.copyfile(src, dst)
    tables = src.parent / f"{src.stem}.tables"
    if tables.is_dir():
        shutil.copytree(tables, dst.parent / f"{dst.stem}.tables")


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
    targets = pick(ledger, backend, runs)
    cid, answers = answers_file(folder, targets["site"])
    print(f"{size} {backend}: {ledger} ({ledger_bytes(ledger) / 2**20:.0f} MiB)", flush=True)
    res: dict[str, Any] = {"bytes": ledger_bytes(ledger), "hazards": SIZES[size]}
    r = lambda args: (lambda i: [exe, *args])  # noqa: E731
    res["help"] = timed("help", r(["--help"]), runs, env, folder)
    res["version"] = timed("version", r(["--version"]), runs, env, folder)
    res["run"] = timed("run", r(["run", cid, "--site", targets["site"]["code"], *INSPECTORS, "--answers", str(answers)]),
                       runs, env, folder)
    res["interim"] = timed("interim", lambda i: [exe, "hazard", "interim", targets["active"][i % len(targets["active"])],
                                                 "--measures", "设置警戒线"], runs, env, folder)
    if len(targets["active"]) >= 2 * runs:
        res["fixed"] = timed("fixed", lambda i: [exe, "hazard", "fixed", targets["active"][runs + i], "--note", "已整改"],
                             runs, env, folder)
    if len(targets["fixed"]) >= runs:
        res["close"] = timed("close", lambda i: [exe, "reinspect", "hazard", targets["fixed"][i], "--pass", *INSPECTORS,
                                                 "--evidence", "photo.jpg"], runs, env, folder)
    res["show"] = timed("show", lambda i: [exe, "hazard", "show", targets["active"][0], "--json"], runs, env, folder)
    res["overdue"] = timed("overdue", r(["hazard", "list", "--overdue", "--severity", "major", "--limit", "50", "--json"]),
                           runs, env, folder)
    res["page"] = timed("page", r(["hazard", "list", "--overdue"]), runs, env, folder)
    if available("inspect_cli.cli.stats"):
        res["stats"] = timed("stats", r(["stats"]), runs, env, folder)
    if available("inspect_cli.cli.report"):
        res["bulletin"] = timed("bulletin", r(["report", "bulletin", "--month", "2026-11", "--format", "html",
                                               "--out", str(folder / "bulletin.html")]), runs, env, folder)
    plan = folder / "plan.csv"
    res["plan"] = timed("plan", r(["reinspect", "plan", "--out", str(plan)]), 1, env, folder)
    if plan.exists():
        res["batch_rows"] = fill_plan(plan, BATCH)
        res["apply"] = timed("apply", r(["reinspect", "apply", str(plan), *INSPECTORS, "--json"]), 1, env, folder)
    if available("inspect_cli.cli.sync"):
        bundle = folder / "bundle"
        res["export"] = timed("export", r(["export", "--out", str(bundle)]), 1, env, folder)
        res["import"] = timed("import", lambda i: [exe, "import", str(bundle), "--ledger",
                                                   str(folder / f"imported{SUFFIX[backend]}")], 1, env, folder)
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
    version = (res.get("version") or {}).get("median")
    ratio = f" ({t / version:.1f}×)" if version and key not in ("help", "version") else ""
    return f"{time_s}{ratio} / {m['max_rss_mb']:.0f} MB"


def render(results: dict[str, Any], out: Path, command: str) -> None:
    sizes = [s for s in SIZES if any(k.startswith(f"{s}/") for k in results)]
    main_sizes = {"sqlite": ("1k", "10k", "100k", "360k"), "tinydb": ("1k", "5k", "10k", "100k")}
    lines = [HEADER.format(machine=results.get("_machine", machine()), command=command,
                           date=results.get("_date", dt.date.today().isoformat())).rstrip(), ""]
    for backend in ("sqlite", "tinydb"):
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
    lines.append(FOOTER.rstrip())
    kept = ""
    if out.exists():  # hand-written analysis below the marker survives a re-run
        text = out.read_text(encoding="utf-8")
        if NOTES in text:
            kept = "\n" + text[text.index(NOTES):]
    out.write_text("\n".join(lines) + "\n" + kept, encoding="utf-8")


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
- Targets (issue 15): TinyDB at 5k hazards, `hazard show`, the first page of `hazard list
  --overdue`, `hazard fixed`, `reinspect hazard --pass` and `run --answers` each ≤ 5×
  `inspect --version`; at 10k ≤ 8×, peak memory ≤ 100 MB.
- Targets (issue 7): SQLite at 360k — single-hazard commands and the first page of the
  overdue list within 2× `inspect --version`, peak memory < 150 MB, bulletin < 5 s,
  10,000-row batch < 10 s; TinyDB at 5k — single-hazard commands < 0.3 s;
  `inspect --help` < 100 ms.
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
            results[f"{size}/{backend}"] = bench(a.workdir, size, backend, a.runs)
            results["_machine"], results["_date"] = machine(), dt.date.today().isoformat()
            store.write_text(json.dumps(results, indent=1))
            render(results, a.out, "python benchmarks/run.py --sizes 1k,10k,100k,360k --backends sqlite,tinydb")
    return 0


if __name__ == "__main__":
    sys.exit(main())
