"""Mixins shared by the models: UUID keys, timestamps, and the mill (tenant) column."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

# Exact decimals: weights in kg (3 places), money in rupees (2 places).
WEIGHT = sa.Numeric(14, 3)
MONEY = sa.Numeric(14, 2)
PERCENT = sa.Numeric(6, 3)


class UUIDPrimaryKey:
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now(), onupdate=sa.func.now()
    )


class MillScoped:
    """Every mill-owned table has `mill_id` from here, so tenancy is one idea in one place."""

    @declared_attr
    def mill_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(sa.Uuid, sa.ForeignKey("mills.id", ondelete="RESTRICT"), nullable=False, index=True)


class CreatedBy:
    @declared_attr
    def created_by_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
