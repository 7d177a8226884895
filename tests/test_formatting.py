from datetime import date
from decimal import Decimal

import pytest

from ricemill.common.formatting import date_text, kg_text


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("1250.000"), "1,250"), (Decimal("36.145"), "36.145"), (Decimal("1250.5"), "1,250.5"), (0, "0"),
     (1000000, "1,000,000")],
)  # fmt: skip
def test_kg_text(value, text):
    assert kg_text(value) == text


def test_dates_read_the_same_in_every_locale():
    assert date_text(date(2026, 11, 26)) == "26 Nov 2026"
    assert date_text(date(2026, 1, 5)) == "5 Jan 2026"
