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


def width(text: str) -> int:
    """Columns a text takes on a terminal: East Asian wide and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else (0 if unicodedata.combining(c) else 1)
               for c in text)


def fold(text: str, limit: int) -> list[str]:
    """Lines of at most ``limit`` columns (character by character, as rich's overflow="fold")."""
    lines: list[str] = []
    for raw in text.split("\n") or [""]:
        line, used = "", 0
        for c in raw:
            w = width(c)
            if used + w > limit and line:
                lines.append(line)
                line, used = "", 0
            line += c
            used += w
        lines.append(line)
    return lines


class Column:
    def __init__(self, header: str, min_width: int = 0, max_width: Optional[int] = None, fold: bool = True,
                 flexible: bool = False) -> None:
        self.header, self.min_width, self.max_width = header, min_width, max_width
        self.fold, self.flexible = fold, flexible


class LightTable:
    """A table in the look of rich's default (heavy head, light body), for list outputs.

    Cells are plain text (a style per cell: "red", "bold" …); widths count East Asian
    characters as two columns; the flexible column takes what the terminal width leaves
    (80 columns when not a terminal, as rich) and long cells fold.
    """

    def __init__(self, columns: list[Column]) -> None:
        self.columns = columns
        self.rows: list[list[tuple[str, str]]] = []

    def add_row(self, *cells: Any) -> None:
        self.rows.append([c if isinstance(c, tuple) else (str(c), "") for c in cells])

    def _widths(self, total: int) -> list[int]:
        widths = []
        for n, col in enumerate(self.columns):
            natural = max([width(col.header)] + [width(line) for r in self.rows for line in r[n][0].split("\n")])
            w = max(natural, col.min_width)
            if col.max_width is not None:
                w = min(w, max(col.max_width, col.min_width))
            widths.append(max(w, 1))
        room = total - (3 * len(widths) + 1)
        for n, col in enumerate(self.columns):
            if col.flexible and sum(widths) > room:
                widths[n] = max(col.min_width, widths[n] - (sum(widths) - room), 1)
        while sum(widths) > room:  # then fold the widest other folding column, a column at a time
            shrinkable = [n for n, col in enumerate(self.columns) if col.fold and widths[n] > max(col.min_width, 4)]
            if not shrinkable:
                break  # nothing left to fold: the lines are longer than the terminal
            widest = max(shrinkable, key=lambda n: widths[n])
            widths[widest] -= 1
        return widths

    def lines(self, total: Optional[int] = None, color: bool = False) -> list[str]:
        if total is None:
            import shutil

            total = shutil.get_terminal_size((80, 24)).columns if color else 80
        widths = self._widths(total)

        def border(left: str, mid: str, right: str, fill: str) -> str:
            return left + mid.join(fill * (w + 2) for w in widths) + right

        def cells(row: list[tuple[str, str]], bar: str, header: bool = False) -> list[str]:
            folded = [fold(text, w) if col.fold else text.split("\n")
                      for (text, _), w, col in zip(row, widths, self.columns)]
            out = []
            for i in range(max(len(f) for f in folded)):
                parts = []
                for (text, style), f, w in zip(row, folded, widths):
                    piece = f[i] if i < len(f) else ""
                    pad = " " * max(w - width(piece), 0)
                    codes = [STYLES[s] for s in (style or ("bold" if header else "")).split() if s in STYLES]
                    if color and codes and piece:
                        piece = f"\x1b[{';'.join(codes)}m{piece}\x1b[0m"
                    parts.append(f" {piece}{pad} ")
                out.append(bar + bar.join(parts) + bar)
            return out

        out = [border("┏", "┳", "┓", "━")]
        out += cells([(c.header, "") for c in self.columns], "┃", header=True)
        out.append(border("┡", "╇", "┩", "━"))
        for row in self.rows:
            out += cells(row, "│")
        out.append(border("└", "┴", "┘", "─"))
        return out

    def print(self, file: Optional[TextIO] = None) -> None:
        out = file if file is not None else sys.stdout
        click.echo("\n".join(self.lines(color=colour_wanted(out))), file=out)
