"""One source for the numbers every domain shares (served to the pages by `GET /api/v1/meta`).

Enumerations (stock types, payment modes) live with their domain's types; their human labels sit
beside them. This module holds what has no domain of its own: mill defaults, units and bounds.
"""

from decimal import Decimal

# --- mill defaults (a new mill's `settings`) ------------------------------------------------------
DEFAULT_STANDARD_MOISTURE_PERCENT = 17  # paddy is priced at 17% moisture unless the mill says otherwise
DEFAULT_TIMEZONE = "Asia/Kolkata"


def default_mill_settings() -> dict:
    return {"standardMoisturePercent": DEFAULT_STANDARD_MOISTURE_PERCENT, "timezone": DEFAULT_TIMEZONE}


# --- units ----------------------------------------------------------------------------------------
WEIGHT_UNIT = "kg"  # every weight in the API is in kilograms
KG = Decimal("0.001")  # weights are kept to the gram (3 places)
KG_PER_QUINTAL = 100  # rates are quoted per quintal
MAX_MOISTURE_PERCENT = 40

# --- sane bounds ----------------------------------------------------------------------------------
MAX_LOT_KG = 1_000_000  # no truck lot weighs more than this
MAX_RATE_PER_QUINTAL = 1_000_000  # no rate is quoted above this
MAX_BAGS = 100_000
