"""Files users hand us (answers, plans, inspector pools, site lists): read once, the same way.

- YAML: safe, size-limited (see :mod:`.yamlio`); a problem is ``FILE:LINE: message``.
- CSV and other text: UTF-8 (with or without BOM), else GB18030 — what Excel on Chinese
  Windows writes — and text that is neither is refused with the line of the first bad byte,
  never silently replaced.

Every problem raises :class:`~inspect_cli.errors.ValidationFailed` (exit 4).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import ValidationFailed


def load_yaml(path: Path) -> tuple[Any, Any]:
    """A YAML input file: ``(value, node tree)``; the node tree maps values to lines."""
    from .yamlio import YamlProblem, load_file

    try:
        return load_file(Path(path))
    except YamlProblem as e:
        raise ValidationFailed(f"{path}:{e.line or 1}: {e.message}") from None


def read_text(path: Path) -> str:
    """A text input file in UTF-8 (BOM or not) or GB18030/GBK."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationFailed(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        not_utf8 = exc.start  # UTF-8 is what we ask for, so its first bad byte is the one to name
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        line = data.count(b"\n", 0, not_utf8) + 1
        raise ValidationFailed(f"{path}:{line}: the file is neither UTF-8 nor GB18030/GBK text "
                               f"(byte {not_utf8}); save it as \"CSV UTF-8\"") from None
