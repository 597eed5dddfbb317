"""Kinds of inspection and their names, Chinese (authoritative) and English."""
from __future__ import annotations

# kind → (Chinese, English)
KIND_NAMES: dict[str, tuple[str, str]] = {
    "enforcement": ("执法检查", "enforcement"), "self": ("自查", "self-inspection"),
    "special": ("专项检查", "special campaign"), "unannounced": ("暗访暗查", "unannounced"),
}
KINDS: tuple[str, ...] = tuple(KIND_NAMES)
