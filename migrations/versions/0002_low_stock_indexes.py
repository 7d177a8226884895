"""Partial indexes for the low-stock job and the notification relay

Revision ID: 0002
Revises: 0001

- ix_stocks_low: only the stocks that are low right now (a minimum set, quantity at or under it).
  The hourly job's scan over every mill reads this index, so its cost follows the number of low
  stocks, not the number of mills (QUALITY.md: 10,000 mills x 5 stock types in <= 200 ms).
  A stock enters or leaves the index when a movement crosses its minimum.
- ix_notifications_undispatched: the relay finds what a crash left unsent without a scan.

Both are declared on the models too (tests/test_migrations.py checks that they agree).
"""

from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_stocks_low",
        "stocks",
        ["mill_id", "stock_type"],
        postgresql_where=sa.text("min_stock_level > 0 AND quantity <= min_stock_level"),
    )
    op.create_index(
        "ix_notifications_undispatched",
        "notifications",
        ["created_at"],
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_notifications_undispatched", table_name="notifications")
    op.drop_index("ix_stocks_low", table_name="stocks")
