import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..common.enums import StrEnum, enum_column
from ..common.models import PERCENT, WEIGHT, CreatedBy, MillScoped, Timestamps, UUIDPrimaryKey
from ..extensions import db


class BatchStatus(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"


class MillingBatch(UUIDPrimaryKey, MillScoped, CreatedBy, Timestamps, db.Model):
    __tablename__ = "milling_batches"
    __table_args__ = (
        sa.Index("ix_milling_batches_mill_status", "mill_id", "status", "started_at"),
        # Dashboard: today's outturn from the batches completed in a time range.
        sa.Index(
            "ix_milling_batches_mill_completed",
            "mill_id",
            "completed_at",
            postgresql_include=["paddy_input_kg", "rice_kg"],
            postgresql_where=sa.text("status = 'COMPLETED'"),
        ),
        sa.CheckConstraint("paddy_input_kg > 0", name="input_positive"),
    )

    variety: Mapped[str | None] = mapped_column(sa.String(60))
    paddy_input_kg: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)
    status: Mapped[BatchStatus] = mapped_column(
        enum_column(BatchStatus, "batch_status"), nullable=False, default=BatchStatus.IN_PROGRESS
    )
    rice_kg: Mapped[Decimal | None] = mapped_column(WEIGHT)
    broken_rice_kg: Mapped[Decimal | None] = mapped_column(WEIGHT)
    bran_kg: Mapped[Decimal | None] = mapped_column(WEIGHT)
    husk_kg: Mapped[Decimal | None] = mapped_column(WEIGHT)
    outturn_percent: Mapped[Decimal | None] = mapped_column(PERCENT)
    loss_kg: Mapped[Decimal | None] = mapped_column(WEIGHT)
    notes: Mapped[str | None] = mapped_column(sa.String(500))
    started_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    completed_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL"))
