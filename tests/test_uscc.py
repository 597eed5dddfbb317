"""Unified social credit codes: check character, messages, generated codes."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspect_cli.site import uscc
from inspect_cli.errors import ValidationFailed

# Published codes of well-known companies; each also satisfies the GB 11714 check of its
# organisation code (position 17), which is independent evidence they are copied correctly.
KNOWN_VALID = [
    "91350100M000100Y43",
    "91110000600037341L",
    "91440300708461136T",
    "914403001922038216",
    "9144030071526726XG",
    "91110108551385082Q",
]

bodies = st.builds(
    lambda head, division, org: head + division + org,
    st.text(uscc.ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(uscc.ALPHABET, min_size=9, max_size=9),
)


def test_weights_are_powers_of_three_mod_31() -> None:
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(uscc.ALPHABET) == 31 and not set("IOZSV") & set(uscc.ALPHABET)


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_codes_are_valid(code: str) -> None:
    assert uscc.validate(code) == code
    assert uscc.check_character(code[:17]) == code[17]
    assert uscc.organisation_check_character(code[8:16]) == code[16]


def test_check_value_zero_and_thirty() -> None:
    # A sum that is 0 mod 31 gives 31 → '0'; make sure both edges of the mapping occur.
    assert uscc.check_character("0" * 17) == "0"
    body = "0" * 16 + "1"  # weight 28 → 31 - 28 = 3
    assert uscc.check_character(body) == "3"
    body = "1" + "0" * 16  # weight 1 → 30 → 'Y'
    assert uscc.check_character(body) == "Y"


def test_validate_normalises() -> None:
    assert uscc.validate("  91350100m000100y43\n") == "91350100M000100Y43"
    # Full-width characters typed with a Chinese input method.
    assert uscc.validate("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


def test_wrong_length_says_length() -> None:
    with pytest.raises(ValidationFailed, match="is 17 characters long, a code has 18"):
        uscc.validate("91350100M000100Y4")
    with pytest.raises(ValidationFailed, match="empty"):
        uscc.validate("   ")


def test_invalid_characters_named() -> None:
    with pytest.raises(ValidationFailed) as exc:
        uscc.validate("91350100MO00100I43")
    msg = str(exc.value)
    assert "'O', 'I'" in msg and "never I, O, Z, S, V" in msg


def test_length_and_characters_both_reported() -> None:
    with pytest.raises(ValidationFailed) as exc:
        uscc.validate("91350100M0-00100Y43")
    assert "19 characters" in str(exc.value) and "'-'" in str(exc.value)


def test_wrong_check_character_message() -> None:
    with pytest.raises(ValidationFailed, match="fails its check") as exc:
        uscc.validate("91350100M000100Y44")
    assert "营业执照" in str(exc.value) and "'3'" not in str(exc.value)  # no guessed code to copy


def test_division_code_must_be_digits() -> None:
    body = "91A50100M000100Y4"
    with pytest.raises(ValidationFailed, match="administrative division"):
        uscc.validate(body + uscc.check_character(body))


def test_excel_number_hint() -> None:
    with pytest.raises(ValidationFailed, match="Excel"):
        uscc.validate("9.13501E+17")


def test_non_text_is_validation_failed() -> None:
    with pytest.raises(ValidationFailed):
        uscc.validate(913501000)  # type: ignore[arg-type]


def test_check_character_rejects_bad_input() -> None:
    with pytest.raises(ValidationFailed):
        uscc.check_character("1234")
    with pytest.raises(ValidationFailed, match="'O'"):
        uscc.check_character("91350100MO00100Y4")


def test_make_code_from_body_and_seed() -> None:
    assert uscc.make_code("91350100M000100Y4") == "91350100M000100Y43"
    assert uscc.make_code("91350100M000100Y4X") == "91350100M000100Y43"  # fixes the check char
    a, b = uscc.make_code("demo-1"), uscc.make_code("demo-2")
    assert a != b and a == uscc.make_code("demo-1")  # deterministic
    assert uscc.validate(uscc.make_code(7)) == uscc.make_code(7)
    with pytest.raises(ValidationFailed):
        uscc.make_code("91350100MO00100Y4")  # 17 characters means a body; this one is invalid


def test_is_valid() -> None:
    assert uscc.is_valid(KNOWN_VALID[0])
    assert not uscc.is_valid("91350100M000100Y44")


@given(bodies)
def test_made_codes_validate(body: str) -> None:
    code = uscc.make_code(body)
    assert code[:17] == body
    assert uscc.validate(code) == code


@given(st.one_of(st.integers(), st.text()))
def test_seeded_codes_validate(seed: int | str) -> None:
    if isinstance(seed, str) and len(seed.strip()) in (17, 18):
        return  # a body, not a seed; covered above
    code = uscc.make_code(seed)
    assert uscc.validate(code) == code
    assert uscc.organisation_check_character(code[8:16]) == code[16]


@settings(max_examples=300)
@given(bodies, st.integers(0, 17), st.sampled_from(uscc.ALPHABET))
def test_single_substitution(body: str, pos: int, ch: str) -> None:
    code = uscc.make_code(body)
    changed = code[:pos] + ch + code[pos + 1:]
    division_ok = changed[2:8].isdigit()
    expected_ok = division_ok and uscc.check_character(changed[:17]) == changed[17]
    if changed == code:
        assert expected_ok
    else:
        # A single substitution always changes the weighted sum by a non-zero amount mod 31
        # (31 is prime, weights are non-zero), so the check character catches it.
        assert not expected_ok
    assert uscc.is_valid(changed) == expected_ok


@settings(max_examples=300)
@given(st.text())
def test_validate_only_raises_validation_failed(text: str) -> None:
    try:
        out = uscc.validate(text)
    except ValidationFailed as exc:
        assert str(exc)
    else:
        assert len(out) == 18 and uscc.check_character(out[:17]) == out[17]


@given(st.text(uscc.ALPHABET + "IOZSV -", min_size=15, max_size=20))
def test_validate_near_codes(text: str) -> None:
    try:
        uscc.validate(text)
    except ValidationFailed:
        pass


def test_length_reported_as_typed() -> None:
    # Characters whose upper case or compatibility form is longer must not change the count.
    with pytest.raises(ValidationFailed, match="is 17 characters long"):
        uscc.validate("91350100M000100Yß")
    with pytest.raises(ValidationFailed, match="'ß'"):
        uscc.validate("91350100M000100Yß3")
    assert uscc.validate("９１３５０１００ｍ０００１００ｙ４３") == "91350100M000100Y43"


@given(st.text())
def test_normalise_keeps_length(text: str) -> None:
    assert len(uscc._normalise(text)) <= len(text)


@settings(max_examples=200)
@given(bodies, st.integers(0, 16), st.sampled_from(uscc.ALPHABET))
def test_a_one_character_typo_is_refused_without_suggesting_a_code(body: str, pos: int, ch: str) -> None:
    code = uscc.make_code(body)
    typo = code[:pos] + ch + code[pos + 1:]
    if typo == code or not typo[2:8].isdigit():
        return
    with pytest.raises(ValidationFailed) as exc:
        uscc.validate(typo)
    message = str(exc.value)
    assert "fails its check" in message and "营业执照" in message
    # the "corrected" code (typo with its check character recomputed) appears nowhere
    assert uscc.make_code(typo[:17]) not in message
    assert "should be" not in message
