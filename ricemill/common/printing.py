"""What printed documents say beyond the words every page uses: GST split and letterhead.

Money (₹1,23,481.60) and amounts in words ("Rupees One Lakh Twenty Thousand Six Hundred Only")
come from `common/words.py` (`money`, `rupees_in_words`), as on every page and message.

- GST: CGST + SGST (half each) when the mill's and the buyer's states match (or the buyer's is
  unknown: a local sale), IGST otherwise. HSN 1006 is rice.
"""

from decimal import ROUND_HALF_UP, Decimal

from .gstin import STATE_CODES

HSN_RICE = "1006"
PAISE = Decimal("0.01")


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
