"""Issue 15's targets, side by side with `inspect --version`: each command right after a
`--version` in the same round, so a busy shared machine slows both alike.

    python benchmarks/targets.py --sizes 5k,10k --backends tinydb --rounds 7

Per command: the median of the per-round ratios (command time / the `--version` time just
before it), the median wall time, and the largest peak RSS. Ledgers come from
benchmarks/generate.py (cached in --workdir, as benchmarks/run.py does).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (benchmarks/run.py: ledgers, targets, the measuring wrapper)

LIMITS = {"5k": 5.0, "10k": 8.0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="5k,10k")
    ap.add_argument("--backends", default="tinydb")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/inspect-bench"))
    a = ap.parse_args(argv)
    a.workdir.mkdir(parents=True, exist_ok=True)
    for size in a.sizes.split(","):
        for backend in a.backends.split(","):
            measure_size(a.workdir, size, backend, a.rounds)
    return 0


def measure_size(workdir: Path, size: str, backend: str, rounds: int) -> None:
    src = run.ensure_ledger(workdir, size, backend)
    folder = workdir / f"targets-{size}-{backend}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ledger = folder / f"ledger{run.SUFFIX[backend]}"
    run.copy_ledger(src, ledger)
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff" + b"0" * 2048)
    env = dict(os.environ, INSPECT_TODAY=run.TODAY, INSPECT_USER="bench", INSPECT_LEDGER=str(ledger),
               XDG_STATE_HOME=str(folder / "state"), INSPECT_LOCK_TIMEOUT="600")
    exe = run.inspect_exe()
    t = run.pick(ledger, backend, rounds * 2)
    cid, answers = run.answers_file(folder, t["site"])
    commands: dict[str, Callable[[int], list[str]]] = {
        "hazard show": lambda i: [exe, "hazard", "show", t["active"][0]],
        "hazard list --overdue (first page)": lambda i: [exe, "hazard", "list", "--overdue"],
        "hazard fixed": lambda i: [exe, "hazard", "fixed", t["active"][rounds + i], "--note", "已整改"],
        "reinspect hazard --pass": lambda i: [exe, "reinspect", "hazard", t["fixed"][i], "--pass", *run.INSPECTORS,
                                              "--evidence", "photo.jpg"],
        "run --answers": lambda i: [exe, "run", cid, "--site", t["site"]["code"], *run.INSPECTORS, "--answers",
                                    str(answers)],
    }
    limit = LIMITS.get(size)
    print(f"\n{size} {backend}: {run.ledger_bytes(ledger) / 2**20:.0f} MiB, {rounds} rounds"
          + (f", target ≤ {limit:g}× --version, ≤ 100 MB at 10k" if limit else ""))
    print("| command | ratio to `--version` | wall | peak RSS |\n|---|---|---|---|")
    for name, argv in commands.items():
        if name == "reinspect hazard --pass" and len(t["fixed"]) < rounds:
            continue
        ratios, times, rss = [], [], []
        for i in range(rounds):
            v, _, _, _ = run.measure([exe, "--version"], env, folder)
            secs, kib, code, err = run.measure(argv(i), env, folder)
            if code != 0:
                raise SystemExit(f"{name}: exit {code}: {err}")
            ratios.append(secs / v)
            times.append(secs)
            rss.append(kib / 1024)
        r: dict[str, Any] = {"ratio": statistics.median(ratios), "wall": statistics.median(times), "rss": max(rss)}
        print(f"| `{name}` | {r['ratio']:.1f}× | {r['wall'] * 1000:.0f} ms | {r['rss']:.0f} MB |", flush=True)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
