"""How quantities read in human text (activity summaries, notifications)."""

from decimal import Decimal


def kg_text(value) -> str:
    """1250.000 -> '1,250'; 36.145 -> '36.145'; 1250.5 -> '1,250.5'."""
    return f"{Decimal(str(value)):,.3f}".rstrip("0").rstrip(".")
