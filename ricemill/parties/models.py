"""A party: a farmer, buyer, supplier or agent the mill deals with.

(mill, kind, name in any case, phone or none) is unique, so "find or create" from a document's free
text finds the same party every time, also when two requests race (INSERT ... ON CONFLICT).
"""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..common.enums import enum_column
from ..common.models import MONEY, CreatedBy, MillScoped, Timestamps, UUIDPrimaryKey
from ..extensions import db
from .types import PartyKind


class Party(UUIDPrimaryKey, MillScoped, CreatedBy, Timestamps, db.Model):
    __tablename__ = "parties"
    __table_args__ = (
        sa.Index(
            "uq_parties_identity",
            "mill_id",
            "kind",
            sa.text("lower(name)"),
            sa.text("coalesce(phone, '')"),
            unique=True,
        ),
    )

    kind: Mapped[PartyKind] = mapped_column(enum_column(PartyKind, "party_kind"), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    village: Mapped[str | None] = mapped_column(sa.String(120))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    state: Mapped[str | None] = mapped_column(sa.String(60))
    gstin: Mapped[str | None] = mapped_column(sa.String(15))
    # Signed, in the ledger's convention: positive = the party owes the mill (Dr).
    opening_balance: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0, server_default="0")
