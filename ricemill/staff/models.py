import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..common.enums import StrEnum, enum_column
from ..common.models import MONEY, CreatedBy, MillScoped, Timestamps, UUIDPrimaryKey
from ..extensions import db


class StaffStatus(StrEnum):
    ACTIVE = "ACTIVE"
    LEFT = "LEFT"


class AttendanceStatus(StrEnum):
    PRESENT = "PRESENT"
    ABSENT = "ABSENT"
    HALF_DAY = "HALF_DAY"
    LEAVE = "LEAVE"


class Staff(UUIDPrimaryKey, MillScoped, CreatedBy, Timestamps, db.Model):
    __tablename__ = "staff"

    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    designation: Mapped[str | None] = mapped_column(sa.String(60))
    daily_wage: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0)
    joined_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    left_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[StaffStatus] = mapped_column(
        enum_column(StaffStatus, "staff_status"), nullable=False, default=StaffStatus.ACTIVE
    )


class Attendance(UUIDPrimaryKey, MillScoped, db.Model):
    __tablename__ = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("staff_id", "attendance_date"),
        sa.Index("ix_attendance_mill_date", "mill_id", "attendance_date"),
    )

    staff_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("staff.id", ondelete="CASCADE"), nullable=False)
    attendance_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus, "attendance_status"), nullable=False)
    marked_by_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now(), onupdate=sa.func.now()
    )
