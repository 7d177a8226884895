"""How quantities read in human text (activity summaries, notifications)."""

from datetime import date
from decimal import Decimal


def kg_text(value) -> str:
    """1250.000 -> '1,250'; 36.145 -> '36.145'; 1250.5 -> '1,250.5'."""
    return f"{Decimal(str(value)):,.3f}".rstrip("0").rstrip(".")


def date_text(day: date) -> str:
    """2026-11-26 -> '26 Nov 2026': how a date reads in the feed (unambiguous in every locale)."""
    return f"{day.day} {day:%b %Y}"
