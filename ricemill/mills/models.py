import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..common.constants import DEFAULT_STANDARD_MOISTURE_PERCENT, DEFAULT_TIMEZONE, default_mill_settings
from ..common.models import Timestamps, UUIDPrimaryKey
from ..extensions import db

DEFAULT_MILL_SETTINGS = default_mill_settings()


class Mill(UUIDPrimaryKey, Timestamps, db.Model):
    __tablename__ = "mills"

    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    code: Mapped[str] = mapped_column(sa.String(20), nullable=False, unique=True)
    address: Mapped[str | None] = mapped_column(sa.String(300))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    settings: Mapped[dict] = mapped_column(JSONB, nullable=False, default=default_mill_settings)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True, server_default=sa.true())

    @property
    def standard_moisture_percent(self):
        return (self.settings or {}).get("standardMoisturePercent", DEFAULT_STANDARD_MOISTURE_PERCENT)

    @property
    def timezone(self) -> str:
        return (self.settings or {}).get("timezone", DEFAULT_TIMEZONE)

    def today(self, now: datetime | None = None) -> date:
        """The date where the mill is (its `timezone` setting), not where the server is."""
        tz = ZoneInfo(self.timezone)
        return (now or datetime.now(tz)).astimezone(tz).date()


class MillSequence(db.Model):
    """Per-mill gapless counters (events, invoices, receipts).

    `UPDATE ... SET last_value = last_value + 1 RETURNING` locks the row until commit, so numbers are
    gapless and handed out in commit order; a rolled-back transaction gives its number back.
    """

    __tablename__ = "mill_sequences"

    mill_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("mills.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    last_value: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)


def next_sequence_value(mill_id: uuid.UUID, name: str, count: int = 1, *, session=None) -> int:
    """Reserve `count` numbers of the mill's `name` sequence; returns the last one reserved."""
    stmt = sa.text(
        """
        INSERT INTO mill_sequences (mill_id, name, last_value) VALUES (:mill_id, :name, :count)
        ON CONFLICT (mill_id, name) DO UPDATE SET last_value = mill_sequences.last_value + :count
        RETURNING last_value
        """
    )
    return (session or db.session).execute(stmt, {"mill_id": mill_id, "name": name, "count": count}).scalar_one()
