"""PDF through WeasyPrint (the optional extra ``pip install inspect-cli[pdf]``)."""
from __future__ import annotations

import shutil
import subprocess
from typing import Any

from ..errors import ReportError

FONT_HINT = ("no Chinese (CJK) font is installed, so the PDF would print empty boxes: install one, "
             "e.g. on Debian/Ubuntu: sudo apt-get install fonts-noto-cjk")


def cjk_fonts() -> list[str]:
    """Font families fontconfig knows for Chinese; None-like empty list when there are none.

    Raises nothing: when ``fc-list`` itself is missing the check cannot be made and ``["?"]``
    is returned (WeasyPrint will use whatever its own fontconfig finds).
    """
    exe = shutil.which("fc-list")
    if exe is None:
        return ["?"]
    try:
        out = subprocess.run([exe, ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ["?"]
    return sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})


RENDER_TIMEOUT = 120  # seconds; INSPECT_RENDER_TIMEOUT overrides


class RenderTimeout(ReportError):
    """A PDF render stopped at its time limit."""


def check_pdf_ready() -> Any:
    """WeasyPrint and a CJK font, or a :class:`ReportError` saying what to install."""
    try:
        import weasyprint
    except ImportError:
        raise ReportError("PDF output needs WeasyPrint: pip install 'inspect-cli[pdf]' (or pip install weasyprint); "
                          "or use --format html and print from a browser") from None
    except OSError as e:  # WeasyPrint is there but its system libraries (Pango) are not
        raise ReportError(f"WeasyPrint cannot load its system libraries ({e}); on Debian/Ubuntu: "
                          "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0") from None
    if not cjk_fonts():
        raise ReportError(FONT_HINT)
    return weasyprint


def _timeout() -> int:
    import os

    try:
        return max(1, int(os.environ.get("INSPECT_RENDER_TIMEOUT", RENDER_TIMEOUT)))
    except ValueError:
        return RENDER_TIMEOUT


def html_to_pdf(html: str, what: str = "") -> bytes:
    """The PDF of ``html``; gives up after the render time limit, naming ``what`` (the
    largest text of the report) as the likely cause."""
    import logging
    import signal
    import threading

    weasyprint = check_pdf_ready()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    limit = _timeout()
    timed = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM")

    class _Slow(Exception):
        pass

    def on_alarm(signum: int, frame: Any) -> None:
        raise _Slow()

    old: Any = None
    if timed:
        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(limit)
    try:
        doc: Any = weasyprint.HTML(string=html, base_url=None)
        return doc.write_pdf()  # type: ignore[no-any-return]
    except _Slow:
        raise RenderTimeout(f"the PDF render took more than {limit} s and was stopped"
                          + (f"; the largest text in it is {what}" if what else "")
                          + f" ({len(html)} characters of HTML). Shorten that text, or use --format html "
                          "(INSPECT_RENDER_TIMEOUT sets the limit)") from None
    finally:
        if timed:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
