"""The words of every message: labels, Indian grouping, kg with quintals, dates (common/words.py)."""

from datetime import date
from decimal import Decimal

import pytest

import ricemill.finance.types  # noqa: F401 - registers the payment modes' labels
import ricemill.inventory.types  # noqa: F401 - registers the stock types' labels
from ricemill.common import words


@pytest.mark.parametrize(
    ("code", "text"),
    [("RICE", "Rice"), ("BROKEN_RICE", "Broken rice"), ("BANK", "Bank transfer"), ("UPI", "UPI"), ("CASH", "Cash"),
     ("MADE", "Made"), ("HALF_DAY", "Half day"), ("IN_PROGRESS", "In progress"), (None, "")],
)  # fmt: skip
def test_codes_read_as_their_labels(code, text):
    assert words.label(code) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(120600, "₹1,20,600.00"), (Decimal("55000"), "₹55,000.00"), (Decimal("0.005"), "₹0.01"),
     (Decimal("10000000000"), "₹10,00,00,00,000.00"), (Decimal("-900"), "-₹900.00")],
)  # fmt: skip
def test_money_in_indian_grouping_rounded_half_up(value, text):
    assert words.money(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("8191.311"), "8,191.3 kg"), (Decimal("999999"), "9,99,999 kg"), (Decimal("36.145"), "36.145 kg"),
     (Decimal("1250.000"), "1,250 kg"), (Decimal("1250.05"), "1,250.1 kg"), (0, "0 kg")],
)  # fmt: skip
def test_kg_keeps_grams_only_where_they_matter(value, text):
    assert words.kg(value) == text


def test_quintals_beside_kg_from_one_quintal():
    assert words.kg_q(Decimal("8191.311")) == "8,191.3 kg (81.9 q)"
    assert words.kg_q(Decimal("36.145")) == "36.145 kg"


def test_dates_read_as_the_pages_show_them():
    assert words.day(date(2026, 11, 26)) == "26 Nov 2026"
    assert words.day(date(2026, 1, 5)) == "5 Jan 2026"


def test_the_shared_sentences():
    assert (
        words.not_enough_stock("RICE", Decimal("8191.311"), Decimal("999999"))
        == "Not enough Rice in stock: 8,191.3 kg available, 9,99,999 kg needed"
    )
    # to the gram when rounding would make the two look the same
    assert (
        words.not_enough_stock("RICE", Decimal("8191.311"), Decimal("8191.312"))
        == "Not enough Rice in stock: 8,191.311 kg available, 8,191.312 kg needed"
    )
    assert words.low_stock("RICE", 120, 500) == "Rice is low: 120 kg left, minimum 500 kg"
    assert words.at_most_money(55000) == "At most ₹55,000.00."
    assert words.between_dates(date(2000, 1, 1), date(2026, 11, 30)) == "Must be between 1 Jan 2000 and 30 Nov 2026."
    assert words.one_of(["CASH", "BANK", "UPI", "CHEQUE"]) == "Must be one of: Cash, Bank transfer, UPI, Cheque."
    assert words.out_of_bounds(Decimal(50), 0, 40, "%") == "At most 40%."
    assert words.out_of_bounds(Decimal(-1), 0, 10, "kg") == "Must not be negative."
    assert words.out_of_bounds(Decimal(2_000_000), 0, 1_000_000, "₹") == "At most ₹10,00,000.00."
