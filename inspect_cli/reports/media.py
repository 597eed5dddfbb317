"""Evidence files in reports: photos as embedded thumbnails (data: URIs), others by name."""
from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from ..evidence import resolve

IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
               ".webp": "image/webp"}
EMBED_AS_IS = 256 * 1024        # smaller images are embedded unchanged
EMBED_MAX = 3 * 1024 * 1024     # larger ones need Pillow to shrink them, else they are only listed
THUMB_PX = 640


def evidence_items(files: list[dict[str, Any]], folder: Path) -> list[dict[str, Any]]:
    """``{name, sha256, short, size, image, data_uri, missing, too_large}`` for each file."""
    out = []
    for f in files or []:
        name = str(f.get("name") or "")
        rel = str(f.get("file") or "")
        ext = Path(rel or name).suffix.lower()
        item = {"name": name, "sha256": str(f.get("sha256") or ""), "short": str(f.get("sha256") or "")[:12],
                "size": f.get("size"), "image": ext in IMAGE_TYPES, "data_uri": None, "missing": False,
                "too_large": False}
        path = resolve(folder, f)  # only a content-addressed name, never a path from the record
        if path is None or not path.is_file():
            item["missing"] = True
        elif item["image"]:
            item["data_uri"] = _data_uri(path, ext)
            item["too_large"] = item["data_uri"] is None
        out.append(item)
    return out


def _data_uri(path: Path, ext: str) -> Any:
    data = path.read_bytes()
    mime = IMAGE_TYPES[ext]
    if len(data) > EMBED_AS_IS:
        small = _thumbnail(path)
        if small is not None:
            data, mime = small, "image/jpeg"
        elif len(data) > EMBED_MAX:
            return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _thumbnail(path: Path) -> Any:
    """A JPEG thumbnail if Pillow happens to be installed (it is not a dependency)."""
    try:
        import io

        from PIL import Image
    except ImportError:
        return None
    try:
        with Image.open(path) as im:
            im.thumbnail((THUMB_PX, THUMB_PX))
            buf = io.BytesIO()
            im.convert("RGB").save(buf, "JPEG", quality=80)
            return buf.getvalue()
    # not an image after all, or a broken or oversized one: list it instead of failing the report
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        return None
