import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..common.enums import StrEnum, enum_column
from ..common.models import UUIDPrimaryKey
from ..extensions import db


class NotificationType(StrEnum):
    SUCCESS = "success"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class NotificationTarget(StrEnum):
    USER = "user"
    MILL = "mill"
    ADMINS = "admins"
    BROADCAST = "broadcast"


class Notification(UUIDPrimaryKey, db.Model):
    """One notification, delivered to many recipients (one `NotificationRecipient` row each)."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_undispatched", "created_at", postgresql_where=sa.text("dispatched_at IS NULL")),
    )

    target: Mapped[NotificationTarget] = mapped_column(
        enum_column(NotificationTarget, "notification_target"), nullable=False
    )
    mill_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("mills.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[NotificationType] = mapped_column(enum_column(NotificationType, "notification_type"), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    message: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    data: Mapped[dict] = mapped_column(JSONB, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    dispatched_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class NotificationRecipient(db.Model):
    __tablename__ = "notification_recipients"
    __table_args__ = (sa.Index("ix_notification_recipients_user_unread", "user_id", "read_at", "notification_id"),)

    notification_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
