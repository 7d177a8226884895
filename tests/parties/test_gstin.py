import pytest

from ricemill.common.gstin import check_character, gstin_error, state_code

# Published GSTINs of real firms (the format every GST portal example uses).
VALID = ["27AAPFU0939F1ZV", "29AAGCB7383J1Z4", "24AAACC1206D1ZM"]


@pytest.mark.parametrize("gstin", VALID)
def test_real_gstins_pass_the_mod_36_check(gstin):
    assert check_character(gstin[:14]) == gstin[14]
    assert gstin_error(gstin) is None


@pytest.mark.parametrize("gstin", VALID)
def test_one_mistyped_character_is_caught(gstin):
    for index in range(2, 14):
        char = gstin[index]
        wrong = "1" if char != "1" else "2"
        if char.isalpha():
            wrong = "B" if char != "B" else "C"
        typo = gstin[:index] + wrong + gstin[index + 1 :]
        assert gstin_error(typo) is not None, typo


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("27AAPFU0939F1Z", "Not a GSTIN"),  # 14 characters
        ("27aapfu0939f1zv", "Not a GSTIN"),  # the schema upper-cases first; the rule itself is strict
        ("27AAPFU0939F1XV", "Not a GSTIN"),  # 14th must be Z
        ("99AAPFU0939F1ZV", "Unknown GST state code"),
        ("27AAPFU0939F1ZW", "check character"),
    ],
)
def test_bad_gstins_say_why(value, reason):
    assert reason in gstin_error(value)


def test_state_names_any_case():
    assert state_code("karnataka") == "29"
    assert state_code(" Tamil Nadu ") == "33"
    assert state_code("Atlantis") is None
