"""Low-stock severity (REALTIME.md). A minimum of 0 means "no alert"."""

from decimal import Decimal

from ..common.formatting import kg_text


def get_severity(current, minimum) -> str | None:
    """'critical' at 0, 'high' at or under half the minimum, else 'medium'; None when not low.

    The seed divided by the minimum and so broke on a minimum of 0: here 0 never alerts.
    """
    current, minimum = Decimal(current), Decimal(minimum)
    if minimum <= 0 or current > minimum:
        return None
    if current <= 0:
        return "critical"
    if current * 2 <= minimum:
        return "high"
    return "medium"


def crossed_below_minimum(before, after, minimum) -> bool:
    """True when a movement takes a stock from above its minimum to at or below it."""
    before, after, minimum = Decimal(before), Decimal(after), Decimal(minimum)
    return minimum > 0 and before > minimum >= after


def low_stock_summary(stock_type, quantity, minimum) -> str:
    """'BRAN is low: 280 kg (minimum 500 kg)': the activity entry and notification text."""
    return f"{stock_type} is low: {kg_text(quantity)} kg (minimum {kg_text(minimum)} kg)"
