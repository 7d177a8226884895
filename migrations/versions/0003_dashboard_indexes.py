"""Indexes for the dashboard and the activity feed

Revision ID: 0003
Revises: 0002

- activity: the newest summary-bearing events of a mill, without walking its stock:updated noise;
- receivables / payables: only the unpaid documents, with the two amounts in the index
  (index-only scans; paid documents, the bulk of a mill's history, are never read);
- today's outturn: the batches completed in a time range;
- the 30-day series: purchases and sales per day with their kg and amount in the index
  (index-only scans instead of a heap visit per document of the month).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_mill_events_activity",
        "mill_events",
        ["mill_id", "seq"],
        postgresql_where=sa.text("summary IS NOT NULL"),
    )
    op.create_index(
        "ix_sales_mill_unpaid",
        "sales",
        ["mill_id"],
        postgresql_include=["amount", "paid_amount"],
        postgresql_where=sa.text("payment_status <> 'PAID'"),
    )
    op.create_index(
        "ix_paddy_purchases_mill_unpaid",
        "paddy_purchases",
        ["mill_id"],
        postgresql_include=["amount", "paid_amount"],
        postgresql_where=sa.text("payment_status <> 'PAID'"),
    )
    op.create_index(
        "ix_milling_batches_mill_completed",
        "milling_batches",
        ["mill_id", "completed_at"],
        postgresql_include=["paddy_input_kg", "rice_kg"],
        postgresql_where=sa.text("status = 'COMPLETED'"),
    )
    op.create_index(
        "ix_paddy_purchases_mill_date_totals",
        "paddy_purchases",
        ["mill_id", "purchase_date"],
        postgresql_include=["net_weight_kg", "amount"],
    )
    op.create_index(
        "ix_sales_mill_date_totals",
        "sales",
        ["mill_id", "sale_date"],
        postgresql_include=["quantity_kg", "amount"],
    )


def downgrade():
    op.drop_index("ix_sales_mill_date_totals", table_name="sales")
    op.drop_index("ix_paddy_purchases_mill_date_totals", table_name="paddy_purchases")
    op.drop_index("ix_milling_batches_mill_completed", table_name="milling_batches")
    op.drop_index("ix_paddy_purchases_mill_unpaid", table_name="paddy_purchases")
    op.drop_index("ix_sales_mill_unpaid", table_name="sales")
    op.drop_index("ix_mill_events_activity", table_name="mill_events")
