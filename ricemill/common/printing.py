"""What printed documents say: rupees the Indian way, amounts in words, GST split, letterhead.

- Money: Babel's `format_currency(x, "INR", locale="en_IN")` (₹1,23,481.60).
- Words: num2words with lang="en_IN" (lakh, crore), written as on a cheque:
  "Rupees One Lakh Twenty Thousand Six Hundred Only", paise as "and Fifty Paise".
- GST: CGST + SGST (half each) when the mill's and the buyer's states match (or the buyer's is
  unknown: a local sale), IGST otherwise. HSN 1006 is rice.
"""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency
from num2words import num2words

from .gstin import STATE_CODES

HSN_RICE = "1006"
PAISE = Decimal("0.01")


def inr(value) -> str:
    return format_currency(Decimal(value), "INR", locale="en_IN")


def _words(number: int) -> str:
    text = num2words(number, lang="en_IN").replace(",", "").replace("-", " ").replace(" and ", " ")
    return " ".join(word.capitalize() for word in text.split())


def rupees_in_words(value) -> str:
    amount = Decimal(value).quantize(PAISE, ROUND_HALF_UP)
    rupees, paise = divmod(int(amount * 100), 100)
    text = f"Rupees {_words(rupees)}"
    if paise:
        text += f" and {_words(paise)} Paise"
    return text + " Only"


def mill_letterhead(mill) -> dict:
    """The mill's name, address, phone, GSTIN and state from its record and settings."""
    settings = mill.settings or {}
    gstin = settings.get("gstin")
    state = settings.get("state") or (STATE_CODES.get(gstin[:2]) if gstin else None)
    return {
        "name": mill.name,
        "address": mill.address or settings.get("address"),
        "phone": mill.phone or settings.get("phone"),
        "gstin": gstin,
        "state": state,
        "state_code": (gstin or "")[:2] or next((c for c, n in STATE_CODES.items() if n == state), None),
    }


def gst_split(tax_amount, rate, mill_state: str | None, buyer_state: str | None) -> dict:
    """{kind: INTRA|INTER, cgst, sgst, igst, half_rate}: CGST = half the tax rounded, SGST the rest."""
    tax = Decimal(tax_amount)
    rate = Decimal(rate)
    inter = bool(mill_state and buyer_state and mill_state.lower() != buyer_state.lower())
    if inter:
        return {"kind": "INTER", "igst": tax, "cgst": None, "sgst": None, "rate": rate, "half_rate": None}
    cgst = (tax / 2).quantize(PAISE, ROUND_HALF_UP)
    return {"kind": "INTRA", "igst": None, "cgst": cgst, "sgst": tax - cgst, "rate": rate, "half_rate": rate / 2}
