"""Imports every model so that SQLAlchemy's metadata (and Alembic's autogenerate) sees all tables."""

from .auth.models import LoginAttempt, RefreshToken, RevokedToken, User
from .common.idempotency import IdempotencyKey
from .finance.models import Payment, Receipt
from .inventory.models import GoodsMovement, Stock, StockAdjustment, StockLedgerEntry
from .milling.models import MillingBatch
from .mills.models import Mill, MillSequence
from .notifications.models import Notification, NotificationRecipient
from .parties.models import Party
from .purchases.models import PaddyPurchase
from .realtime.outbox.models import MillEvent
from .sales.models import Sale
from .staff.models import Attendance, Staff

__all__ = [
    "Attendance", "GoodsMovement", "LoginAttempt", "Mill", "MillEvent", "MillSequence", "MillingBatch",
    "IdempotencyKey",
    "Notification", "NotificationRecipient", "PaddyPurchase", "Party", "Payment", "Receipt", "RefreshToken",
    "RevokedToken", "Sale", "Staff", "Stock", "StockAdjustment", "StockLedgerEntry", "User",
]  # fmt: skip
