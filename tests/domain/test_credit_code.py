"""Unified social credit code, GB 32100-2015."""

from __future__ import annotations

import pytest

from domain.credit_code import ALPHABET, check_character, make, validate
from domain.errors import InvalidValue

KNOWN_VALID = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_valid_codes_pass(code):
    assert validate(code) == code
    assert make(code[:17]) == code


def test_lower_case_and_surrounding_space_are_normalised():
    assert validate("  91110000600037341l ") == "91110000600037341L"


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_every_wrong_check_character_is_rejected(code):
    for wrong in ALPHABET.replace(code[-1], ""):
        with pytest.raises(InvalidValue) as info:
            validate(code[:17] + wrong)
        assert info.value.field == "credit_code"


def test_wrong_check_character_message_names_the_expected_one():
    with pytest.raises(InvalidValue) as info:
        validate("91350100M000100Y44")
    assert "应为 3" in info.value.message


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y433",
                                  "9135010"])
def test_wrong_length_is_rejected(code):
    with pytest.raises(InvalidValue) as info:
        validate(code)
    assert info.value.field == "credit_code"
    assert "18" in info.value.message


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_forbidden_letters_are_rejected(letter):
    code = "91350100M000100" + letter + "43"
    with pytest.raises(InvalidValue) as info:
        validate(code)
    assert info.value.field == "credit_code"
    assert letter in info.value.message


@pytest.mark.parametrize("code", ["91350100M000100Y4-", "91350100M000100Y4 3",
                                  "9135０100M000100Y43"])
def test_other_characters_are_rejected(code):
    with pytest.raises(InvalidValue):
        validate(code)


def test_division_code_must_be_digits():
    with pytest.raises(InvalidValue) as info:
        validate(make("91A50100M000100Y4"))
    assert info.value.field == "credit_code"


def test_not_text_is_rejected():
    with pytest.raises(InvalidValue):
        validate(913501001234567890)  # type: ignore[arg-type]


def test_field_name_can_be_chosen():
    with pytest.raises(InvalidValue) as info:
        validate("bad", field="agency.credit_code")
    assert info.value.field == "agency.credit_code"


def test_check_character_is_in_the_alphabet_for_zero_sum():
    assert check_character("0" * 17) == "0"
