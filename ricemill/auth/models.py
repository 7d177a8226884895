import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common.enums import enum_column
from ..common.models import Timestamps, UUIDPrimaryKey
from ..extensions import db
from .roles import Role


class User(UUIDPrimaryKey, Timestamps, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.Index("uq_users_email_lower", sa.func.lower(sa.text("email")), unique=True),
        sa.CheckConstraint("(role = 'SUPER_ADMIN') = (mill_id IS NULL)", name="mill_matches_role"),
    )

    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"), nullable=False)
    mill_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("mills.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    mill = relationship("Mill", lazy="joined")

    @property
    def actor(self) -> dict:
        """How the user appears in event payloads: {id, name}."""
        return {"id": str(self.id), "name": self.name}


class RefreshToken(db.Model):
    """Every refresh token issued. A token is good only while its row is neither spent nor revoked;
    presenting a spent one revokes its whole family (stolen-token detection)."""

    __tablename__ = "refresh_tokens"

    jti: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    family: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    issued_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False)
    spent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class RevokedToken(db.Model):
    """Access tokens revoked before they expire (logout). Rows can be purged after `expires_at`."""

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False, index=True)
    revoked_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


class LoginAttempt(db.Model):
    """Failed logins per normalised email (known or not, so the answer never tells which)."""

    __tablename__ = "login_attempts"

    email: Mapped[str] = mapped_column(sa.String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_failure_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
