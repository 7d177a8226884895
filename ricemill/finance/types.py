from ..common.enums import StrEnum
from ..common.words import register_labels


class PaymentStatus(StrEnum):
    PENDING = "PENDING"
    PARTIAL = "PARTIAL"
    PAID = "PAID"


class PaymentDirection(StrEnum):
    RECEIVED = "RECEIVED"  # from a buyer
    MADE = "MADE"  # to a farmer or supplier


class PaymentMode(StrEnum):
    CASH = "CASH"
    BANK = "BANK"
    UPI = "UPI"
    CHEQUE = "CHEQUE"


PAYMENT_MODE_LABELS = {
    PaymentMode.CASH: "Cash",
    PaymentMode.BANK: "Bank transfer",
    PaymentMode.UPI: "UPI",
    PaymentMode.CHEQUE: "Cheque",
}
register_labels(PAYMENT_MODE_LABELS)  # every message says "Bank transfer", never BANK (common/words.py)
