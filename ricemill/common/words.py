"""Every word a person reads, from one place: labels, money, weights, dates and the shared sentences.

Error messages, field messages, activity-feed summaries and notification texts are built with these
functions, never with `f"{value}"` of an enum, a Decimal or a date:

- **labels**: an enum code reads as its label (`RICE` -> "Rice", `BANK` -> "Bank transfer",
  `MADE` -> "Made"). The labels live beside their enums (`inventory/types.py`,
  `finance/types.py`, ...), which register them here; a code nobody labelled reads as its words
  (`BROKEN_RICE` -> "Broken rice").
- **money**: Indian grouping through Babel's CLDR data for `en_IN` (₹1,20,600.00), as the pages show it;
  in words as on a cheque through num2words' `en_IN` (lakh, crore): "Rupees One Lakh Twenty
  Thousand Six Hundred Only", paise as "and Fifty Paise" (invoices, slips, receipts).
- **weights**: kilograms in Indian grouping; 3 decimals only under 100 kg (a moisture deduction of
  36.145 kg), else at most one ("8,191.3 kg"); quintals beside them where the trade thinks in them
  ("8,191.3 kg (81.9 q)").
- **dates**: "26 Nov 2026" (day, short month, year: unambiguous in every locale), never ISO.

REST keeps its machine fields (`code`s, field names, numbers) beside these readable messages.
"""

import enum
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal, parse_pattern
from num2words import num2words

LOCALE = "en_IN"  # Indian grouping: 1,20,600
# Parsed once: Babel parses a locale name and a pattern string on every call (the same result each time).
_LOCALE = Locale.parse(LOCALE)
_NUMBER_PATTERNS: dict[int, object] = {}
KG_PER_QUINTAL = Decimal(100)
EXACT_BELOW_KG = Decimal(100)  # under this a gram matters (a deduction, a sample); above it, 100 g

_LABELS: dict[str, str] = {}


# --- labels ----------------------------------------------------------------------------------------


def register_labels(labels: Mapping) -> None:
    """Make `labels` ({enum member or code: label}) the words of those codes (called by each types module)."""
    for code, text in labels.items():
        _LABELS[_code(code)] = text


def _code(value) -> str:
    return str(value.value if isinstance(value, enum.Enum) else value)


def label(value) -> str:
    """How a person says an enum code: `RICE` -> "Rice", `UPI` -> "UPI", `HALF_DAY` -> "Half day"."""
    if value is None:
        return ""
    code = _code(value)
    return _LABELS.get(code) or code.replace("_", " ").capitalize()


def lower_label(value) -> str:
    """A label inside a sentence: "of rice", "paid", but "UPI" stays as it is."""
    text = label(value)
    return text if text.isupper() else text[0].lower() + text[1:] if text else text


def labels_text(values: Iterable) -> str:
    """'Cash, Bank transfer, UPI, Cheque': the choices of a select, in words."""
    return ", ".join(label(v) for v in values)


# --- numbers ---------------------------------------------------------------------------------------


def _round(value, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def number(value, places: int = 0) -> str:
    """A number in Indian grouping with at most `places` decimals (trailing zeros dropped): 9,99,999."""
    pattern = _NUMBER_PATTERNS.get(places)
    if pattern is None:
        pattern = _NUMBER_PATTERNS[places] = parse_pattern("#,##,##0" + ("." + "#" * places if places else ""))
    return format_decimal(_round(value, places), format=pattern, locale=_LOCALE)


def money(value) -> str:
    """Rupees and paise in Indian grouping: ₹1,20,600.00."""
    return format_currency(_round(value, 2), "INR", locale=_LOCALE)


def _number_words(value: int) -> str:
    text = num2words(value, lang="en_IN").replace(",", "").replace("-", " ").replace(" and ", " ")
    return " ".join(word.capitalize() for word in text.split())


def rupees_in_words(value) -> str:
    """'Rupees One Lakh Twenty Thousand Six Hundred and Fifty Paise Only' (rounded to the paisa)."""
    rupees, paise = divmod(int(_round(value, 2) * 100), 100)
    text = f"Rupees {_number_words(rupees)}"
    if paise:
        text += f" and {_number_words(paise)} Paise"
    return text + " Only"


def kg_number(value, *, exact: bool = False) -> str:
    """Kilograms without the unit: 3 decimals under 100 kg (or when `exact`), else at most 1."""
    amount = Decimal(str(value))
    return number(amount, 3 if exact or abs(amount) < EXACT_BELOW_KG else 1)


def kg(value, *, exact: bool = False) -> str:
    """'8,191.3 kg', '36.145 kg', '9,99,999 kg'."""
    return f"{kg_number(value, exact=exact)} kg"


def quintals(value) -> str:
    """'81.9 q' for 8,191.311 kg (1 quintal = 100 kg, as the trade quotes rates)."""
    return f"{number(Decimal(str(value)) / KG_PER_QUINTAL, 1)} q"


def kg_q(value) -> str:
    """'8,191.3 kg (81.9 q)': a lot or a batch, where the trade thinks in quintals (from 100 kg)."""
    amount = Decimal(str(value))
    return kg(amount) if abs(amount) < KG_PER_QUINTAL else f"{kg(amount)} ({quintals(amount)})"


def percent(value, places: int = 1) -> str:
    """'66.1%'."""
    return f"{number(value, places)}%"


def day(value: date | datetime) -> str:
    """'26 Nov 2026': how the pages show a date (never ISO in a sentence)."""
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day} {value:%b %Y}"


# --- the sentences several domains share -------------------------------------------------------------


def not_enough_stock(stock_type, available, needed) -> str:
    """'Not enough Rice in stock: 8,191.3 kg available, 9,99,999 kg needed' (to the gram when
    rounding would make the two look the same)."""
    exact = kg_number(available) == kg_number(needed)
    return (
        f"Not enough {label(stock_type)} in stock: {kg(available, exact=exact)} available,"
        f" {kg(needed, exact=exact)} needed"
    )


def low_stock(stock_type, quantity, minimum) -> str:
    """'Rice is low: 120 kg left, minimum 500 kg'."""
    return f"{label(stock_type)} is low: {kg(quantity)} left, minimum {kg(minimum)}"


def at_most_money(value) -> str:
    """'At most ₹55,000.00.'"""
    return f"At most {money(value)}."


def between_dates(first: date, last: date) -> str:
    """'Must be between 1 Jan 2000 and 30 Nov 2026.'"""
    return f"Must be between {day(first)} and {day(last)}."


def one_of(values: Iterable) -> str:
    """'Must be one of: Cash, Bank transfer, UPI, Cheque.'"""
    return f"Must be one of: {labels_text(values)}."


def amount(value, unit: str | None = None) -> str:
    """A bound or a quantity in its unit: `"₹"` money, `"kg"` weight, `"%"`, any other word after the number."""
    if unit == "₹":
        return money(value)
    if unit == "kg":
        return kg(value, exact=True)
    if unit == "%":
        return percent(value, 3)
    return f"{number(value, 3)} {unit}" if unit else number(value, 3)


def out_of_bounds(value, minimum, maximum, unit: str | None = None) -> str:
    """'Must not be negative.', 'At least 1 kg.', 'At most ₹10,00,000.00.' for a number outside its bounds."""
    if minimum is not None and value < minimum:
        return "Must not be negative." if minimum == 0 else f"At least {amount(minimum, unit)}."
    return f"At most {amount(maximum, unit)}."
