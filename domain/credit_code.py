"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (no I, O, Z, S, V): registration authority (1),
organisation type (1), administrative division (6 digits), organisation code (9), and a
check character computed from the first 17 with the standard's weights, modulo 31.
"""

from __future__ import annotations

from domain.errors import InvalidValue

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str, field: str = "credit_code") -> str:
    """Return the code upper-cased, or raise `InvalidValue` saying what is wrong."""
    if not isinstance(code, str):
        raise InvalidValue(field, "统一社会信用代码须为文本")
    code = code.strip().upper()
    if len(code) != 18:
        raise InvalidValue(field, f"统一社会信用代码须为 18 位，收到 {len(code)} 位")
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        raise InvalidValue(field, f"统一社会信用代码含有不允许的字符：{''.join(bad)}")
    if not code[2:8].isdigit():
        raise InvalidValue(field, "统一社会信用代码第 3–8 位须为行政区划代码（数字）")
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidValue(
            field, f"统一社会信用代码校验位错误：应为 {expected}，实为 {code[17]}（GB 32100-2015）")
    return code


def make(first17: str) -> str:
    """A valid code from 17 characters (for simulations and tests)."""
    return first17 + check_character(first17)
