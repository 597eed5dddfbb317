"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

A code has 18 characters from :data:`ALPHABET` (digits and capital letters except
I, O, Z, S, V):

* position 1 — registration authority (登记管理部门代码), e.g. ``9`` for market regulation;
* position 2 — organisation type (机构类别代码);
* positions 3–8 — administrative division code (登记管理机关行政区划码), 6 digits;
* positions 9–17 — organisation code body (主体标识码, GB 11714);
* position 18 — check character over positions 1–17.

A code that fails its check is refused without naming the "right" check character: the
mistake is as likely in any other position, so the only safe correction is to re-read the
code from the licence.

Only the 18th character is enforced. The 17th is itself a GB 11714 check character over
positions 9–16 (:func:`organisation_check_character`), but it is not required because
many codes in test data and old records do not satisfy it.
"""
from __future__ import annotations

import random
import re

from ..errors import ValidationFailed

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# Weight of position i (0-based) is 3**i mod 31, as tabulated in GB 32100-2015.
WEIGHTS = tuple(pow(3, i, 31) for i in range(LENGTH - 1))
assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_NEVER_USED = "I, O, Z, S, V"
_DIVISION = slice(2, 8)

# GB 11714 organisation code: weights over its first 8 characters; letters count A=10 … Z=35.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Province-level prefixes, so generated codes carry a plausible division code.
_PROVINCES = ("11", "12", "13", "31", "32", "33", "35", "37", "44", "50", "51", "61")


# Full-width forms (Ｍ, ９, ideographic space) that Chinese input methods produce → ASCII, and
# ASCII lower → upper case. Neither NFKC nor str.upper(): they change the length of some
# strings ('¼' → '1⁄4', 'ß' → 'SS'), which would misreport what the user typed.
_FOLD = ({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
         | {cp: cp - 0x20 for cp in range(ord("a"), ord("z") + 1)}
         | {cp: cp - 0xFEE0 - 0x20 for cp in range(0xFF41, 0xFF5B)})


def _normalise(code: str) -> str:
    return code.translate(_FOLD).strip()


def check_character(first17: str) -> str:
    """The GB 32100 check character (18th) for the first 17 characters of a code."""
    body = _normalise(first17)
    if len(body) != LENGTH - 1:
        raise ValidationFailed(f"need the first 17 characters of a code to compute its check character, "
                               f"got {len(body)}: {first17!r}")
    bad = _invalid_characters(body)
    if bad:
        raise ValidationFailed(_invalid_message(first17, bad))
    total = sum(_VALUE[ch] * w for ch, w in zip(body, WEIGHTS))
    check = 31 - total % 31
    return ALPHABET[0 if check == 31 else check]


def organisation_check_character(first8: str) -> str:
    """The GB 11714 check character (the code's 17th) for positions 9–16; informational only."""
    body = _normalise(first8)
    if len(body) != 8 or any(ch not in _ORG_ALPHABET for ch in body):
        raise ValidationFailed(f"need 8 digits or capital letters for an organisation code, got {first8!r}")
    check = 11 - sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(body, _ORG_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate(code: str) -> str:
    """Return ``code`` normalised (trimmed, upper-case) or raise ValidationFailed saying what is wrong."""
    if not isinstance(code, str):
        raise ValidationFailed(f"a unified social credit code must be text, got {type(code).__name__}")
    norm = _normalise(code)
    if not norm:
        raise ValidationFailed("the unified social credit code is empty")
    if re.fullmatch(r"\d(\.\d+)?E\+\d+", norm):
        # Excel shows long digit strings as 9.1135E+17 and then saves them that way.
        raise ValidationFailed(f"unified social credit code {code.strip()!r} looks like a number reformatted by "
                               "Excel; format the column as text and re-enter the codes")
    problems = []
    if len(norm) != LENGTH:
        problems.append(f"is {len(norm)} characters long, a code has {LENGTH}")
    bad = _invalid_characters(norm)
    if bad:
        problems.append(_invalid_detail(bad))
    if problems:
        raise ValidationFailed(f"unified social credit code {norm!r} " + "; it ".join(problems))
    division = norm[_DIVISION]
    if not division.isdigit():
        raise ValidationFailed(f"unified social credit code {norm!r}: positions 3–8 (administrative division code) "
                               f"must be 6 digits, found {division!r}")
    expected = check_character(norm[:-1])
    if norm[-1] != expected:
        # No suggested check character: a typo is usually elsewhere in the code, and the code
        # "corrected" at its last character would be valid for another enterprise, or for none.
        raise ValidationFailed(f"unified social credit code {norm!r} fails its check (校验码不符): at least one "
                               f"character is wrong; re-read the whole code from the business licence (营业执照) "
                               f"and type it again")
    return norm


def is_valid(code: str) -> bool:
    """Whether :func:`validate` accepts ``code``."""
    try:
        validate(code)
    except ValidationFailed:
        return False
    return True


def make_code(seed_or_body: str | int) -> str:
    """A valid code. Text of 17 or 18 characters is a body whose check character is (re)computed
    (ValidationFailed if it cannot be a code); any other int or text is a seed that
    deterministically yields a plausible code ("91" + division + organisation code)."""
    if isinstance(seed_or_body, str):
        norm = _normalise(seed_or_body)
        if len(norm) in (LENGTH - 1, LENGTH):
            body = norm[:LENGTH - 1]
            # validate() also rejects a body whose division code is not digits.
            return validate(body + check_character(body))
    rng = random.Random(f"uscc:{seed_or_body}")
    division = rng.choice(_PROVINCES) + "".join(rng.choice("0123456789") for _ in range(4))
    org = "".join(rng.choice("0123456789") for _ in range(8))
    body = "91" + division + org + organisation_check_character(org)
    return body + check_character(body)


def _invalid_characters(text: str) -> list[str]:
    seen: list[str] = []
    for ch in text:
        if ch not in _VALUE and ch not in seen:
            seen.append(ch)
    return seen


def _invalid_detail(bad: list[str]) -> str:
    return (f"contains invalid character(s) {', '.join(repr(c) for c in bad)} (only digits and capital letters "
            f"are used, and never {_NEVER_USED})")


def _invalid_message(code: str, bad: list[str]) -> str:
    return f"unified social credit code {code!r} {_invalid_detail(bad)}"
