import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ...extensions import db


class MillEvent(db.Model):
    """The event record (transactional outbox) and the activity feed.

    Written in the same transaction as the change it describes, with a per-mill `seq` that is gapless
    and in commit order. `dispatched_at` is set once the event has been handed to Socket.IO; the relay
    sends again whatever a crash left undispatched.
    """

    __tablename__ = "mill_events"
    __mapper_args__ = {"eager_defaults": True}
    __table_args__ = (
        sa.UniqueConstraint("mill_id", "seq"),
        sa.Index("ix_mill_events_undispatched", "id", postgresql_where=sa.text("dispatched_at IS NULL")),
        sa.Index("ix_mill_events_created_at", "created_at"),
        # The activity feed: a mill's summary-bearing events without walking its stock noise.
        sa.Index("ix_mill_events_activity", "mill_id", "seq", postgresql_where=sa.text("summary IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    mill_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("mills.id", ondelete="CASCADE"), nullable=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    payload: Mapped[dict] = mapped_column(JSONB, nullable=False)
    # Activity-feed fields (the `activity:new` shape).
    summary: Mapped[str | None] = mapped_column(sa.String(300))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    actor_name: Mapped[str | None] = mapped_column(sa.String(120))
    entity_type: Mapped[str | None] = mapped_column(sa.String(40))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    dispatched_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
