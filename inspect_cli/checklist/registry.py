"""Where checklists come from: bundled, ``--checklist-dir`` and ``INSPECT_CHECKLIST_PATH``."""
from __future__ import annotations

import datetime as dt
import importlib.resources
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from ..errors import ChecklistError, NotFound
from ..resources import bundled_dir
from ..yamlio import YamlProblem, load_file
from .loader import load_checklist
from .model import Checklist

ENV_PATH = "INSPECT_CHECKLIST_PATH"

_REF = re.compile(r"^(?P<id>[a-z0-9][a-z0-9_-]*)(@(?P<version>[1-9][0-9]*))?$")


def checklist_dirs(extra: Iterable[str] = (), environ: Optional[dict[str, str]] = None) -> list[Path]:
    """User folders: ``--checklist-dir`` values first, then ``INSPECT_CHECKLIST_PATH``."""
    env = (environ if environ is not None else os.environ).get(ENV_PATH, "")
    return [Path(d) for d in [*extra, *env.split(os.pathsep)] if d]


def is_checklist_data(data: Any) -> bool:
    """The loading rule of checklist folders: a YAML file is a checklist when its top level is a
    mapping with an ``id``, ``sections`` or ``extends`` key. Anything else (answers files, site
    lists) is left alone without a warning."""
    return isinstance(data, dict) and any(k in data for k in ("id", "sections", "extends"))


@dataclass
class _Entry:
    id: str
    version: int
    path: Path
    origin: str
    extends: Optional[str]
    loaded: Any = None  # (value, node tree) from discovery, so a file is parsed once


@dataclass
class Registry:
    """Every known checklist by ``(id, version)``; files are parsed fully only when used."""

    entries: dict[tuple[str, int], _Entry] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    clashes: dict[tuple[str, int], list[Path]] = field(default_factory=dict)  # id@version in two differing files
    _cache: dict[tuple[str, int], Checklist] = field(default_factory=dict)

    @classmethod
    def discover(cls, dirs: Iterable[Path] = ()) -> "Registry":
        reg = cls()
        bundled = bundled_dir("checklists")
        for res in sorted(bundled.iterdir(), key=lambda r: r.name):
            if res.name.endswith((".yaml", ".yml")):
                with importlib.resources.as_file(res) as p:
                    reg._add(Path(p), "bundled")
        for d in dirs:
            if not d.is_dir():
                raise NotFound(f"checklist folder {d} does not exist (from --checklist-dir or {ENV_PATH})")
            for p in sorted(list(d.glob("*.yaml")) + list(d.glob("*.yml"))):
                reg._add(p, str(d))
        return reg

    def _add(self, path: Path, origin: str) -> None:
        path = path.resolve()
        if any(e.path == path for e in self.entries.values()):
            return  # the same file reached twice (bundled folder also given as --checklist-dir)
        try:
            data, node = load_file(path)
        except YamlProblem as e:
            self.problems.append(f"{path}:{e.line or 1}: {e.message}")
            return
        if not is_checklist_data(data):
            return  # not a checklist (an answers file, a site list …): folders may hold other YAML files
        if not isinstance(data.get("id"), str) or not isinstance(data.get("version"), int):
            self.problems.append(f"{path}:1: not a checklist (needs id and version); run inspect checklist validate")
            return
        key = (data["id"], data["version"])
        if key in self.entries:
            # A second file with the same id@version (often a copy of one's own checklist left in
            # the folder) must not break every other checklist: an identical copy is noted and
            # ignored; a different one makes only that id@version unusable, naming both files.
            other = self.entries[key]
            ref = f"{key[0]}@{key[1]}"
            if path.read_bytes() == other.path.read_bytes():
                self.problems.append(f"{path}:1: a copy of {other.path} (checklist {ref}); it is ignored")
            else:
                self.clashes.setdefault(key, [other.path]).append(path)  # reported when that id@version is used
            return
        self.entries[key] = _Entry(key[0], key[1], path, origin, data.get("extends"), (data, node))

    def refs(self) -> list[str]:
        return [f"{i}@{v}" for i, v in sorted(self.entries)]

    def get(self, ref: str, on: Optional[dt.date] = None) -> Checklist:
        """``ID`` (highest version) or ``ID@VERSION``.

        With a date ``on``, a bare ``ID`` is the highest version whose cited sources are all in
        force on that date (the highest version when none is), so back-dated entry keeps working.
        """
        m = _REF.match(ref.strip())
        if not m:
            raise NotFound(f"{ref!r} is not a checklist reference: use ID or ID@VERSION, e.g. dust-explosion@1")
        cid = m["id"]
        versions = sorted(v for i, v in self.entries if i == cid)
        if not versions:
            import difflib

            near = difflib.get_close_matches(cid, sorted({i for i, _ in self.entries}), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else "; see inspect checklist list"
            raise NotFound(f"no checklist {cid!r}{hint}")
        version = int(m["version"]) if m["version"] else versions[-1]
        if on is not None and not m["version"]:
            in_force = [v for v in versions if self._load_quiet((cid, v), on)]
            version = in_force[-1] if in_force else versions[-1]
        if version not in versions:
            raise NotFound(f"checklist {cid} has no version {version}; known: {', '.join(map(str, versions))}")
        return self._load((cid, version), ())

    def _load_quiet(self, key: tuple[str, int], on: dt.date) -> bool:
        """Whether the checklist loads and every source it cites is in force on ``on``."""
        try:
            return not self._load(key, ()).legal_problems(on)
        except (ChecklistError, NotFound):
            return False

    def versions_in_force(self, cid: str, on: dt.date) -> list[str]:
        return [f"{i}@{v}" for i, v in sorted(self.entries) if i == cid and self._load_quiet((i, v), on)]

    def _load(self, key: tuple[str, int], chain: tuple[str, ...]) -> Checklist:
        if key in self._cache:
            return self._cache[key]
        if key in self.clashes:
            files = ", ".join(str(p) for p in self.clashes[key])
            raise ChecklistError(f"checklist {key[0]}@{key[1]} is defined by {len(self.clashes[key])} different files "
                                 f"({files}); give your checklist another id, or raise its version")
        entry = self.entries[key]
        ref = f"{key[0]}@{key[1]}"
        if ref in chain:
            raise ChecklistError(f"overlay loop: {' → '.join(chain + (ref,))}", [])
        checklist = load_checklist(entry.path, lambda base: self._base(base, chain + (ref,)), entry.loaded)
        checklist.origin = entry.origin
        self._cache[key] = checklist
        return checklist

    def _base(self, ref: str, chain: tuple[str, ...]) -> Checklist:
        m = _REF.match(ref.strip())
        if not m or not m["version"]:
            raise NotFound(f"{ref!r} is not a base reference: use BASE_ID@VERSION, e.g. dust-explosion@2")
        cid, v = m["id"], m["version"]
        if (cid, int(v)) not in self.entries:
            raise NotFound(f"no checklist {ref} is known")
        return self._load((cid, int(v)), chain)

    def all(self) -> list[Checklist]:
        return [self._load(k, ()) for k in sorted(self.entries)]

    def usable(self) -> tuple[list[Checklist], list[str]]:
        """Every checklist that loads, and the problems of those that do not."""
        good: list[Checklist] = []
        problems = list(self.problems)
        for key in sorted(self.entries):
            try:
                good.append(self._load(key, ()))
            except (ChecklistError, NotFound) as e:
                problems += getattr(e, "problems", None) or [str(e)]
        return good, problems

    def resolver(self) -> Callable[[str], Checklist]:
        """Resolves an overlay's ``extends`` for validating files outside the registry."""
        return lambda ref: self._base(ref, ())
