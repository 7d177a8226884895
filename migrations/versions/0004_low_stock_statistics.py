"""Statistics on "below its minimum" for the low-stock scan

Revision ID: 0004
Revises: 0003

PostgreSQL estimates a comparison of two columns (`quantity <= min_stock_level`) at a fixed third
of the rows, so the hourly scan hashed every mill even when the partial index `ix_stocks_low`
returned ten stocks. Expression statistics (PostgreSQL 14+) give the planner the real share; the
query writes the clause as `(...) IS TRUE` so that the planner uses them: a nested loop over the
low stocks, flat in the number of mills (bench/RESULTS.md, low-stock job).
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE STATISTICS stocks_below_minimum ON ((quantity <= min_stock_level)) FROM stocks")
    op.execute("ANALYZE stocks")


def downgrade():
    op.execute("DROP STATISTICS IF EXISTS stocks_below_minimum")
