"""A light console for short outputs: rich's markup without importing rich.

``inspect hazard show`` prints a dozen lines; importing and setting up rich costs more than
the rest of the command (about 70 ms of a 200 ms start-up). This prints the same markup
(``[bold]``, ``[red]``, ``[dim]``, ``[yellow]``, ``[green]`` and their closing tags, ``\\[``
for a literal bracket) as ANSI styles on a terminal and as plain text otherwise — what rich
prints in both cases, without rich's wrapping of long lines. ``NO_COLOR`` and ``TERM=dumb``
turn the styles off, as they do for rich.
"""
from __future__ import annotations

import os
import re
import sys
from typing import Any, Optional, TextIO

import click

STYLES = {"bold": "1", "dim": "2", "italic": "3", "underline": "4", "red": "31", "green": "32", "yellow": "33",
          "blue": "34", "magenta": "35", "cyan": "36"}
# the tags rich.markup.escape escapes: "[" then a letter, #, / or @, up to the next "]"
_TAG = re.compile(r"(\\*)\[([a-z#/@][^\[]*?)\]")


def escape(text: str) -> str:
    """Make text print literally (the same escaping as ``rich.markup.escape``)."""
    def repl(m: re.Match[str]) -> str:
        backslashes, tag = m.group(1), m.group(2)
        return f"{backslashes}{backslashes}\\[{tag}]"

    text = _TAG.sub(repl, text)
    if text.endswith("\\") and not text.endswith("\\\\"):
        text += "\\"
    return text


def render(markup: str, color: bool) -> str:
    """Markup as text: ANSI styles when ``color``, else plain."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for m in _TAG.finditer(markup):
        out.append(markup[pos:m.start()].replace("\\[", "["))  # "\[" outside a tag: a bracket
        pos = m.end()
        backslashes, tag = m.group(1), m.group(2)
        out.append(backslashes[: len(backslashes) // 2])
        if len(backslashes) % 2:  # escaped: a literal bracket
            out.append(f"[{tag}]")
            continue
        if tag.startswith("/"):
            name = tag[1:].strip()
            if name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name)]
            elif stack and not name:
                stack.pop()
        else:
            stack.append(tag.strip())
        if color:
            codes = [STYLES[s] for part in stack for s in part.split() if s in STYLES]
            out.append("\x1b[0m" + (f"\x1b[{';'.join(codes)}m" if codes else ""))
    out.append(markup[pos:].replace("\\[", "["))
    text = "".join(out)
    if color and stack:
        text += "\x1b[0m"
    return text


def colour_wanted(file: TextIO) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(file, "isatty", lambda: False)())


class LightConsole:
    """``print(markup)`` like a rich ``Console``, for a few lines of output."""

    def __init__(self, file: Optional[TextIO] = None, stderr: bool = False) -> None:
        self.stderr = stderr
        self.file = file

    def print(self, markup: Any = "") -> None:
        out = self.file if self.file is not None else (sys.stderr if self.stderr else sys.stdout)
        click.echo(render(str(markup), colour_wanted(out)), file=out)
