"""The bureau's PostgreSQL ledger measured: commands vs ``inspect --version``, 50 writers, a sync.

    python benchmarks/pg.py --url postgresql://me@127.0.0.1/bench --sizes 100k [--runs 5]

For each size: a synthetic SQLite ledger (benchmarks/generate.py, cached in --workdir) is
migrated into a fresh database at --url (dropped and created again: use a scratch database),
then each command runs --runs times as a fresh process (median wall time):
``hazard show``, the first page of ``hazard list --overdue --severity major``, ``hazard fixed``
and ``reinspect hazard --pass`` (each on a different hazard), against ``inspect --version``.
Then 50 writer processes make 20 changes each (``Ledger.interim``, one transaction each, on
hazards shared by several writers), and a laptop ledger with 1,000 new hazards syncs with
the bureau. Results go to WORKDIR/pg-results.json and are printed as the Markdown table of
docs/performance.md's PostgreSQL section.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "360k": 360_000}
TODAY = "2026-12-20"
INSPECTORS = ["--inspector", "张伟:44010012345", "--inspector", "李娜:44010067890"]
WRITER = """
import json, sys, time
from inspect_cli.ledger import open_ledger
url, ids, n = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
ledger = open_ledger(url, today="2026-12-20", actor="bench")
lat, failed = [], 0
for i in range(n):
    t = time.perf_counter()
    try:
        ledger.interim(ids[i % len(ids)], f"措施 {sys.argv[4]}-{i}")
    except Exception as e:
        failed += 1
        print(repr(e), file=sys.stderr)
    lat.append(time.perf_counter() - t)
print(json.dumps({"lat": lat, "failed": failed}))
"""


def inspect_exe() -> str:
    exe = Path(sys.executable).with_name("inspect")
    return str(exe) if exe.exists() else "inspect"


def timed(args: list[str], env: dict[str, str], cpu: list[float] | None = None) -> float:
    """Wall time of one command; its CPU time (user + system, which a loaded machine inflates
    much less than the wall time) is appended to ``cpu``."""
    t = time.perf_counter()
    p = subprocess.Popen([inspect_exe()] + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read() if p.stderr else b""
    _, status, usage = os.wait4(p.pid, 0)
    if status != 0:
        raise SystemExit(f"{args}: exit status {status}: {err[-500:].decode(errors='replace')}")
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    return time.perf_counter() - t


def database(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def ledger_file(workdir: Path, n: int, seed: int = 1) -> Path:
    path = workdir / f"l{n}-s{seed}.sqlite"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--hazards", str(n), "--out", str(path),
                        "--seed", str(seed), "--today", TODAY], check=True)
    return path


def pick(url: str, n: int) -> dict[str, list[str]]:
    from inspect_cli.storage import open_backend

    with open_backend(url).read() as st:
        return {"fixed": [h["id"] for h in st.find("hazards", {"status": "fixed"}, limit=n)],
                "open": [h["id"] for h in st.find("hazards", {"status": "open"}, limit=n * 3)]}


def writers(url: str, ids: list[str], procs: int = 50, each: int = 20) -> dict[str, Any]:
    from inspect_cli.ledger import open_ledger

    before = sum(len(open_ledger(url).hazard(h)[1]) for h in ids)
    t = time.perf_counter()
    running = [subprocess.Popen([sys.executable, "-c", WRITER, url, json.dumps(ids[k % 10::10] or ids), str(each),
                                 str(k)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for k in range(procs)]
    outs = [p.communicate() for p in running]
    wall = time.perf_counter() - t
    lat: list[float] = []
    failed = 0
    for out, err in outs:
        data = json.loads(out.strip().splitlines()[-1])
        lat += data["lat"]
        failed += data["failed"]
    after = sum(len(open_ledger(url).hazard(h)[1]) for h in ids)
    lat.sort()
    return {"writers": procs, "writes": procs * each, "failed": failed, "lost": procs * each - failed - (after - before),
            "wall_s": round(wall, 2), "p50_ms": round(1000 * lat[len(lat) // 2], 1),
            "p99_ms": round(1000 * lat[int(len(lat) * 0.99) - 1], 1)}


def _sync(url: str, laptop: Path, env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    t = time.perf_counter()
    p = subprocess.run([inspect_exe(), "sync", url, "--ledger", str(laptop), "--json", "--quiet"], capture_output=True,
                       text=True, env=dict(env, INSPECT_LEDGER=str(laptop)))
    if p.returncode:
        raise SystemExit(p.stderr)
    return round(time.perf_counter() - t, 2), json.loads(p.stdout)


def sync_in_step(url: str, src: Path, workdir: Path, size: str, env: dict[str, str]) -> dict[str, Any]:
    """The issue's case: a laptop in step with the bureau (a copy of the ledger the bureau was
    migrated from) records 1,000 new hazards in the field (a generated 1k ledger of another
    seed, imported), then syncs: it pushes those and pulls what the bureau gained meanwhile."""
    import shutil

    laptop = workdir / f"instep-{size}.sqlite"
    for old in workdir.glob(f"instep-{size}*"):
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    shutil.copyfile(src.resolve(), laptop)
    new = ledger_file(workdir, 1000, seed=11)
    bundle = workdir / "new-1000.zip"
    subprocess.run([inspect_exe(), "export", "--out", str(bundle), "--ledger", str(new), "--quiet"], check=True,
                   capture_output=True, env=env)
    subprocess.run([inspect_exe(), "import", str(bundle), "--ledger", str(laptop), "--quiet"], check=True,
                   capture_output=True, env=env)
    took, report = _sync(url, laptop, env)
    again, _ = _sync(url, laptop, env)
    laptop.unlink()
    return {"sync_new_1000_s": took, "sync_new_pushed": report.get("pushed"), "sync_new_pulled": report.get("pulled"),
            "sync_nothing_new_s": again}


def first_sync(url: str, workdir: Path, size: str, env: dict[str, str]) -> dict[str, Any]:
    """A new laptop with 1,000 hazards of its own syncs for the first time: it pulls the whole bureau."""
    laptop = workdir / f"laptop-{size}.sqlite"
    laptop.unlink(missing_ok=True)
    subprocess.run([inspect_exe(), "ledger", "migrate", str(ledger_file(workdir, 1000, seed=7)), str(laptop)],
                   check=True, capture_output=True)
    took, report = _sync(url, laptop, env)
    return {"sync_first_s": took, "sync_first_pushed": report.get("pushed")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True, help="a superuser URL of a scratch server")
    ap.add_argument("--sizes", default="100k")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/inspect-bench"))
    ap.add_argument("--reuse", action="store_true", help="keep the database of an earlier run (no new migration)")
    ap.add_argument("--first-sync", action="store_true",
                    help="also time a new laptop's first sync, which pulls the whole bureau (long at 100k and more)")
    a = ap.parse_args(argv)
    a.workdir.mkdir(parents=True, exist_ok=True)
    results_path = a.workdir / "pg-results.json"
    results: dict[str, Any] = json.loads(results_path.read_text()) if results_path.exists() else {}
    for size in a.sizes.split(","):
        n = SIZES[size]
        src = ledger_file(a.workdir, n)
        migrate_s = (results.get(size) or {}).get("migrate_s")
        if a.reuse:
            parts = urlsplit(a.url)
            url = urlunsplit((parts.scheme, parts.netloc, f"/bench_{size}", parts.query, parts.fragment))
        else:
            url = database(a.url, f"bench_{size}")
            t = time.perf_counter()
            p = subprocess.run([inspect_exe(), "ledger", "migrate", str(src), url, "--json"], capture_output=True, text=True)
            if p.returncode:
                raise SystemExit(p.stderr)
            migrate_s = time.perf_counter() - t
        env = dict(os.environ, INSPECT_LEDGER=url, INSPECT_TODAY=TODAY)
        ids = pick(url, a.runs)
        photo = a.workdir / "after.jpg"
        photo.write_bytes(b"\xff\xd8\xff" + os.urandom(2000))
        row: dict[str, Any] = {"hazards": n, "migrate_s": round(migrate_s, 1) if migrate_s else None}
        cmds = {
            "version": lambda i: ["--version"],
            "show": lambda i: ["hazard", "show", ids["open"][i], "--json"],
            "overdue": lambda i: ["hazard", "list", "--overdue", "--severity", "major", "--limit", "50", "--json"],
            "fixed": lambda i: ["hazard", "fixed", ids["open"][i], "--note", "已整改"],
            "close": lambda i: ["reinspect", "hazard", ids["fixed"][i], "--pass", *INSPECTORS, "--evidence", str(photo)],
        }
        cpu: dict[str, list[float]] = {k: [] for k in cmds}
        for i in range(a.runs):  # alternately, so that a burst of load hits every command alike
            for key, args in cmds.items():
                row.setdefault(f"{key}_runs", []).append(timed(args(i), env, cpu[key]))
        for key in cmds:
            row[key] = round(statistics.median(row.pop(f"{key}_runs")), 3)
            row[f"{key}_cpu"] = round(statistics.median(cpu[key]), 3)
        row["ratios"] = {k: round(row[k] / row["version"], 2) for k in cmds if k != "version"}
        row["cpu_ratios"] = {k: round(row[f"{k}_cpu"] / row["version_cpu"], 2) for k in cmds if k != "version"}
        results[size] = row
        results_path.write_text(json.dumps(results, indent=1))
        print(json.dumps({size: row}, indent=1, ensure_ascii=False), flush=True)
        row["writers"] = writers(url, ids["open"][a.runs:a.runs + 40])
        results_path.write_text(json.dumps(results, indent=1))
        print(json.dumps(row["writers"]), flush=True)
        row.update(sync_in_step(url, src, a.workdir, size, env))
        results_path.write_text(json.dumps(results, indent=1))
        print(json.dumps({k: row[k] for k in row if k.startswith("sync")}), flush=True)
        if a.first_sync:
            row.update(first_sync(url, a.workdir, size, env))
        results[size] = row
        results_path.write_text(json.dumps(results, indent=1))
        print(json.dumps({size: row}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
