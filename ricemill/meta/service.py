"""Build the meta object from the one source of each constant (docs/domain.md, "Constants")."""

from ..auth.roles import Role
from ..common import constants as c
from ..common import words
from ..finance.types import PAYMENT_MODE_LABELS, PaymentDirection, PaymentMode, PaymentStatus
from ..inventory.types import MILLING_OUTPUTS, STOCK_TYPE_LABELS, StockType
from ..milling.models import BatchStatus
from ..staff.models import AttendanceStatus, StaffStatus


def _options(enum_cls, labels: dict | None = None) -> list[dict]:
    """[{value, label}]: the label every message uses too (`common/words.py`; `labels` are registered there)."""
    if labels:
        words.register_labels(labels)
    return [{"value": m.value, "label": words.label(m)} for m in enum_cls]


def build_meta() -> dict:
    """JSON-ready, camelCase; the same for every user (nothing mill-specific or secret)."""
    return {
        "millDefaults": {
            "standardMoisturePercent": c.DEFAULT_STANDARD_MOISTURE_PERCENT,
            "timezone": c.DEFAULT_TIMEZONE,
        },
        "units": {
            "weight": c.WEIGHT_UNIT,
            "weightPlaces": -c.KG.as_tuple().exponent,
            "moneyPlaces": 2,
            "kgPerQuintal": c.KG_PER_QUINTAL,
            # weights shown to people: to the gram under this, else to 100 g (common.words.kg)
            "exactBelowKg": int(words.EXACT_BELOW_KG),
        },
        "moisture": {
            # deduction_kg = W × (M − S) / (100 − S) when M > S, else 0; rounded half up to weightPlaces.
            "formula": "W * (M - S) / (100 - S) if M > S else 0",
            "rounding": "HALF_UP",
            "places": -c.KG.as_tuple().exponent,
            "maxMoisturePercent": c.MAX_MOISTURE_PERCENT,
        },
        "limits": {
            "maxLotKg": c.MAX_LOT_KG,
            "maxRatePerQuintal": c.MAX_RATE_PER_QUINTAL,
            "maxBags": c.MAX_BAGS,
        },
        "stockTypes": _options(StockType, STOCK_TYPE_LABELS),
        "millingOutputs": [t.value for t in MILLING_OUTPUTS],
        "paymentModes": _options(PaymentMode, PAYMENT_MODE_LABELS),
        "paymentDirections": _options(PaymentDirection),
        "paymentStatuses": _options(PaymentStatus),
        "attendanceStatuses": _options(AttendanceStatus),
        "batchStatuses": _options(BatchStatus),
        "staffStatuses": _options(StaffStatus),
        "roles": _options(Role),
    }
