"""Record ids: unique across many laptops (ledgers are merged), short enough for the phone.

An id is a prefix and ten Crockford base-32 characters in two groups, e.g.
``H-7K3M9-QXA2B``: 50 random bits, so two laptops that each make a city's year of hazards
(~360,000) collide with probability about 1 in 17,000 — and a merge detects any collision
by content instead of overwriting. Crockford's alphabet leaves out I, L, O and U, so an id
read aloud cannot be misheard as 1 or 0; lower case and I/L/O typed back are accepted.
"""
from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# A record id as inspect-cli writes it (``normalise`` reads I/L/O/U as 1/1/0/V, so an id
# holding them could never be addressed).
ID_PATTERN = re.compile(r"[A-Z]-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}\Z")
PREFIXES = {"site": "S", "inspection": "I", "hazard": "H", "event": "E", "draw": "D", "case": "C", "plan": "P",
            "lookback": "K"}


def new_id(kind: str) -> str:
    import secrets  # lazily: random and its friends cost a read-only command ~1.5 ms

    n = secrets.randbits(50)
    chars = "".join(ALPHABET[(n >> (5 * i)) & 31] for i in range(10))
    return f"{PREFIXES[kind]}-{chars[:5]}-{chars[5:]}"


def normalise(text: str) -> str:
    """Accept what people type: any case, no dashes, and I/L/O/U misread as 1/1/0/V."""
    t = text.strip().upper().replace(" ", "")
    if len(t) == 11 and "-" not in t:
        t = f"{t[0]}-{t[1:6]}-{t[6:]}"
    if len(t) == 13 and t[1] == "-":
        t = t[:2] + t[2:].replace("I", "1").replace("L", "1").replace("O", "0").replace("U", "V")
    return t

