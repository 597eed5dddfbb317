"""Map a path inside a YAML document (keys and indices) to its 1-based line."""
from __future__ import annotations

from typing import Any

from .schema import Path


def index(node: Any) -> dict[Path, int]:
    """Every path of the node tree with the line where it starts (keys: the key's line)."""
    import yaml

    lines: dict[Path, int] = {}
    stack: list[tuple[Path, Any]] = [((), node)]
    seen: set[int] = set()
    while stack:
        path, n = stack.pop()
        if id(n) in seen:
            continue  # an alias: its lines were indexed where the anchor stands
        seen.add(id(n))
        lines.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else str(k.start_mark)
                sub = path + (key,)
                lines[sub] = k.start_mark.line + 1
                if len(sub) < 12:
                    _descend(stack, sub, v)
        elif isinstance(n, yaml.SequenceNode) and len(path) < 12:
            for i, v in enumerate(n.value):
                lines.setdefault(path + (i,), v.start_mark.line + 1)
                _descend(stack, path + (i,), v)
    return lines


def _descend(stack: list[tuple[Path, Any]], path: Path, node: Any) -> None:
    import yaml

    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        stack.append((path, node))


def line_of(lines: dict[Path, int], path: Path) -> int:
    """The line of the longest known prefix of ``path``."""
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return 1
