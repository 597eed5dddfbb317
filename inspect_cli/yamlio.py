"""The one place PyYAML is configured: safe loading with line numbers and size limits."""
from __future__ import annotations

from pathlib import Path
from typing import Any

MAX_BYTES = 2 * 1024 * 1024
MAX_ALIASES = 100
MAX_EXPANDED = 1_000_000
PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}


class YamlProblem(Exception):
    """A YAML file cannot be loaded; ``line`` is 1-based (0 when unknown)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _loader_class() -> Any:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose_text(text: str) -> Any:
    """Compose YAML text into a node tree (keeps line numbers), refusing tags and bombs."""
    import yaml

    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 0
        lines = text.splitlines()
        hint = ("; this line holds a tab character: YAML indents with spaces only"
                if 0 < line <= len(lines) and "\t" in lines[line - 1] else "")
        raise YamlProblem(line, f"YAML syntax error: {e.problem or e}{hint}") from e
    except yaml.YAMLError as e:
        raise YamlProblem(0, f"YAML error: {e}") from e
    finally:
        loader.dispose()
    if node is not None:
        _check_node(node)
    return node


def _check_node(root: Any) -> None:
    """Reject non-standard tags and alias-expansion bombs before constructing anything."""
    import yaml

    seen: set[int] = set()
    aliases = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise YamlProblem(node.start_mark.line + 1, f"more than {MAX_ALIASES} aliases: refused (alias-expansion bomb?)")
            continue
        seen.add(id(node))
        tag = node.tag or ""
        if tag not in PLAIN_TAGS:
            raise YamlProblem(node.start_mark.line + 1, f"tag {tag!r} is not allowed: write plain YAML values")
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    if aliases and _expanded_size(root) > MAX_EXPANDED:
        raise YamlProblem(root.start_mark.line + 1, "aliases expand to more than "
                          f"{MAX_EXPANDED:,} values: refused (alias-expansion bomb?)")


def _expanded_size(root: Any) -> int:
    """How many values the document holds once every alias is expanded (memoised per node)."""
    import yaml

    sizes: dict[int, int] = {}
    order: list[Any] = []
    stack = [root]
    while stack:  # post-order without recursion: deep documents cannot overflow the stack
        node = stack.pop()
        if id(node) in sizes:
            continue
        sizes[id(node)] = -1
        order.append(node)
        if isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in node.value for v in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    for node in reversed(order):
        children = ([v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode)
                    else node.value if isinstance(node, yaml.SequenceNode) else [])
        sizes[id(node)] = min(1 + sum(max(sizes[id(c)], 1) for c in children), 10 * MAX_EXPANDED)
    return sizes[id(root)]


def construct(node: Any) -> Any:
    """Turn a checked node tree into plain Python values (dates stay strings)."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    # Dates are kept as text: the checklist and answer formats validate them themselves.
    def as_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
        return str(loader.construct_scalar(node))  # type: ignore[arg-type]  # a timestamp node is a scalar

    _Loader.add_constructor("tag:yaml.org,2002:timestamp", as_text)
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as e:  # e.g. an int tag on text that is no number
        mark = getattr(e, "problem_mark", None)
        raise YamlProblem(mark.line + 1 if mark else 0, f"cannot read a value: {getattr(e, 'problem', None) or e}") from e
    finally:
        loader.dispose()


def read_text(path: Path) -> str:
    """Read a YAML file as UTF-8 text, refusing files over ``MAX_BYTES``."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise YamlProblem(0, f"file is {size} bytes, over the {MAX_BYTES} byte limit")
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise YamlProblem(0, f"not UTF-8 text ({e.reason} at byte {e.start})") from e
    except OSError as e:
        raise YamlProblem(0, f"cannot read: {e.strerror}") from e


def load_file(path: Path) -> tuple[Any, Any]:
    """Load a YAML file: (value, node tree). Raises :class:`YamlProblem`."""
    node = compose_text(read_text(path))
    return (construct(node) if node is not None else None), node


def dump(data: Any) -> str:
    """Dump plain data as readable block YAML with Chinese kept as is."""
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, default_flow_style=False)
