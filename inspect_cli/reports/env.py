"""The Jinja environment of reports: bundled templates, user overrides, escaping, errors.

Every template renders in :class:`jinja2.sandbox.SandboxedEnvironment` with
:class:`jinja2.StrictUndefined`, so a user template can neither reach Python internals nor
silently print an empty field. HTML templates (``*.html.j2``) autoescape; Markdown
templates (``*.md.j2``) get a context whose every string went through :func:`md_escape`. A template
from ``--template-dir`` (or the ``report.template_dir`` setting) replaces the bundled one
with the same file name.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Callable, Optional

from ..errors import ReportError

_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_LEADING = re.compile(r"^(\s*)([-+#=]|\d+(?=[.)](?:\s|$)))")


class MdSafe(str):
    """Markdown that a template may print as is (built by code, never from user text)."""


def md_escape(value: Any) -> str:
    """User text as inert Markdown: markup characters backslash-escaped, HTML as entities,
    line breaks as spaces (so text cannot start a heading, list or table row)."""
    if isinstance(value, MdSafe):
        return str(value)
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"[\r\n\t]+", " ", text)
    text = _MD_INLINE.sub(r"\\\1", text)
    m = _MD_LEADING.match(text)
    if m:  # a leading list, heading or numbered-list marker
        end = m.end()
        text = text[:end] + "\\" + text[end:] if m.group(2)[0].isdigit() else f"{m.group(1)}\\{text[m.start(2):]}"
    return text


def md_context(value: Any) -> Any:
    """A deep copy of a report context with every string made inert Markdown.

    Markdown templates print these as they are: a macro's output is text too, so escaping at
    print time would escape the template's own markup; escaping the data once, before
    rendering, cannot be forgotten by a template.
    """
    if isinstance(value, str):
        return MdSafe(md_escape(value))
    if isinstance(value, dict):
        return {k: md_context(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [md_context(v) for v in value]
    return value


def _html_finalize(value: Any) -> Any:
    return "" if value is None else value


def bundled_templates() -> Any:
    from ..resources import bundled_dir

    return bundled_dir("templates")


def make_loader(template_dir: Optional[Path]) -> Any:
    """Load ``name`` from the user's folder first, then from the bundled templates."""
    from jinja2 import FunctionLoader

    bundled = bundled_templates()

    def load(name: str) -> Optional[tuple[str, str, Callable[[], bool]]]:
        if "/" in name or "\\" in name or name.startswith("."):
            return None
        if template_dir is not None:
            p = Path(template_dir) / name
            if p.is_file():
                return p.read_text(encoding="utf-8"), str(p), lambda: True
        res = bundled.joinpath(name)
        if res.is_file():
            return res.read_text(encoding="utf-8"), f"<bundled>/{name}", lambda: True
        return None

    return FunctionLoader(load)


def make_env(fmt: str, template_dir: Optional[Path] = None) -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    html = fmt != "md"
    env = SandboxedEnvironment(
        loader=make_loader(template_dir), undefined=StrictUndefined, autoescape=html,
        finalize=_html_finalize, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, auto_reload=False,
    )
    return env


def render(fmt: str, name: str, context: dict[str, Any], template_dir: Optional[Path] = None) -> str:
    """Render template ``name``; any template problem becomes a :class:`ReportError`."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    env = make_env(fmt, template_dir)
    if fmt == "md":
        context = md_context(context)
    try:
        return env.get_template(name).render(**context)  # type: ignore[no-any-return]
    except TemplateNotFound as e:
        where = f" in {template_dir} or" if template_dir else ""
        raise ReportError(f"template {e.name} not found{where} in the bundled templates") from None
    except TemplateSyntaxError as e:
        raise ReportError(f"template {e.filename or e.name or name}, line {e.lineno}: {e.message}") from None
    except UndefinedError as e:
        tpl, line = _template_frame(name)
        raise ReportError(f"template {tpl}, line {line}: undefined variable: {e.message} "
                          f"(see docs/reports.md for the fields of each report)") from None
    except SecurityError as e:
        tpl, line = _template_frame(name)
        raise ReportError(f"template {tpl}, line {line}: not allowed in a report template: {e}") from None
    except TemplateError as e:
        tpl, line = _template_frame(name)
        raise ReportError(f"template {tpl}, line {line}: {e.message or e}") from None
    except UnicodeDecodeError as e:
        raise ReportError(f"template {name} (or one it includes) is not UTF-8 text: {e.reason}") from None
    except (ArithmeticError, ValueError, TypeError, LookupError, MemoryError, RecursionError) as e:
        # a user template's own mistake ({{ 1/0 }}, a huge range): the template's fault, not ours
        tpl, line = _template_frame(name)
        raise ReportError(f"template {tpl}, line {line}: {type(e).__name__}: {e}") from None


def _template_frame(default: str) -> tuple[str, Any]:
    """The template file and line where the exception being handled was raised."""
    tb = sys.exc_info()[2]
    found: tuple[str, Any] = (default, "?")
    while tb is not None:
        fname = tb.tb_frame.f_code.co_filename
        if fname.endswith((".j2", ".css")):
            found = (fname, tb.tb_lineno)
        tb = tb.tb_next
    return found
