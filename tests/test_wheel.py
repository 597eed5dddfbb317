"""The built wheel works on its own: installed in a fresh venv, it finds its bundled checklists."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BUNDLED_IDS = ["dust-explosion", "forest-fire", "hazardous-chemicals", "limited-space"]


def _run(args, **kw):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, args))} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_venv_and_lists_the_bundled_checklists(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, REPO], env=env, timeout=600)
    wheels = list(dist.glob("inspect_cli-*.whl"))
    assert len(wheels) == 1, list(dist.iterdir())

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], env=env, timeout=300)
    py = venv / "bin" / "python"
    _run([py, "-m", "pip", "install", "-q", wheels[0]], env=env, timeout=600)

    elsewhere = tmp_path / "elsewhere"  # not the checkout: nothing may come from the source tree
    elsewhere.mkdir()
    r = _run([venv / "bin" / "inspect", "checklist", "list", "--json"], cwd=elsewhere, env=env, timeout=120)
    rows = json.loads(r.stdout)
    assert sorted({row["id"] for row in rows}) == BUNDLED_IDS
    assert [row["ref"] for row in rows if row["id"] == "forest-fire"] == ["forest-fire@1", "forest-fire@2"]
    assert all(row["origin"] == "bundled" for row in rows)
    for row in rows:
        path = Path(row["path"])
        assert path.is_relative_to(venv) and not path.is_relative_to(REPO), row["path"]
    assert r.stderr == ""

    r = _run([venv / "bin" / "inspect", "checklist", "validate", "--today", "2025-12-31", *(row["path"] for row in rows)], cwd=elsewhere,
             env=env, timeout=120)
    assert r.stdout.splitlines() == [f"{row['path']}: ok" for row in rows]
