"""Parties (farmers, buyers, suppliers, agents) and the documents linked to them; invoices per financial year

Revision ID: 0005
Revises: 0004

Adds `parties` and a `party_id` on purchases, sales and payments, and links what is already there:
one party per distinct (kind, name in any case, phone) per mill (farmers from purchases, buyers
from sales); a payment takes its purchase's or sale's party, else the party of its name (a buyer
for a payment received, a farmer for one made), created when there is none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

KINDS = ("FARMER", "BUYER", "SUPPLIER", "AGENT")


def upgrade():
    op.create_table(
        "parties",
        sa.Column("kind", sa.Enum(*KINDS, name="party_kind", native_enum=False, create_constraint=True, length=24), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("village", sa.String(length=120), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("state", sa.String(length=60), nullable=True),
        sa.Column("gstin", sa.String(length=15), nullable=True),
        sa.Column("opening_balance", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("mill_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_parties_created_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["mill_id"], ["mills.id"], name=op.f("fk_parties_mill_id_mills"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
    )  # fmt: skip
    op.create_index(op.f("ix_parties_mill_id"), "parties", ["mill_id"])
    op.create_index(
        "uq_parties_identity", "parties", ["mill_id", "kind", sa.text("lower(name)"), sa.text("coalesce(phone, '')")],
        unique=True,
    )  # fmt: skip
    for table in ("paddy_purchases", "sales", "payments"):
        op.add_column(table, sa.Column("party_id", sa.Uuid(), nullable=True))
        op.create_index(op.f(f"ix_{table}_party_id"), table, ["party_id"])
        op.create_foreign_key(
            op.f(f"fk_{table}_party_id_parties"), table, "parties", ["party_id"], ["id"], ondelete="RESTRICT"
        )
    _link_existing_documents()
    _invoices_per_financial_year()


FY_START_SQL = "(EXTRACT(YEAR FROM sale_date)::integer - CASE WHEN EXTRACT(MONTH FROM sale_date) < 4 THEN 1 ELSE 0 END)"


def _invoices_per_financial_year():
    """Invoice numbers restart each April: unique per (mill, financial year); each year's counter
    continues from the highest number already issued in it. Sales get a GST rate (0 by default),
    their taxable value and tax; `amount` stays what the buyer owes (taxable value + tax)."""
    op.add_column("sales", sa.Column("fy_start", sa.Integer(), sa.Computed(FY_START_SQL, persisted=True)))
    op.drop_constraint("uq_sales_mill_id_invoice_no", "sales", type_="unique")
    op.create_unique_constraint(op.f("uq_sales_mill_id_fy_start_invoice_no"), "sales", ["mill_id", "fy_start", "invoice_no"])
    op.execute(
        """
        INSERT INTO mill_sequences (mill_id, name, last_value)
        SELECT mill_id, 'invoice-' || fy_start, max(invoice_no) FROM sales GROUP BY mill_id, fy_start
        ON CONFLICT (mill_id, name) DO NOTHING
        """
    )
    op.add_column("sales", sa.Column("tax_rate_percent", sa.Numeric(precision=5, scale=2), server_default="0", nullable=False))
    op.add_column("sales", sa.Column("taxable_value", sa.Numeric(precision=14, scale=2), nullable=True))
    op.add_column("sales", sa.Column("tax_amount", sa.Numeric(precision=14, scale=2), server_default="0", nullable=False))
    op.execute("UPDATE sales SET taxable_value = amount")


def _link_existing_documents():
    for table, kind, name, phone in (
        ("paddy_purchases", "FARMER", "farmer_name", "farmer_phone"),
        ("sales", "BUYER", "buyer_name", "buyer_phone"),
    ):
        village = "min(village)" if table == "paddy_purchases" else "NULL"
        op.execute(
            f"""
            INSERT INTO parties (id, mill_id, kind, name, phone, village, opening_balance, created_at, updated_at)
            SELECT gen_random_uuid(), mill_id, '{kind}', min(trim({name})), nullif(trim({phone}), ''), {village},
                   0, min(created_at), now()
            FROM {table}
            GROUP BY mill_id, lower(trim({name})), nullif(trim({phone}), '')
            """
        )
        op.execute(
            f"""
            UPDATE {table} d SET party_id = p.id
            FROM parties p
            WHERE p.mill_id = d.mill_id AND p.kind = '{kind}' AND lower(p.name) = lower(trim(d.{name}))
              AND coalesce(p.phone, '') = coalesce(nullif(trim(d.{phone}), ''), '')
            """
        )
    op.execute("UPDATE payments y SET party_id = d.party_id FROM paddy_purchases d WHERE y.purchase_id = d.id")
    op.execute("UPDATE payments y SET party_id = d.party_id FROM sales d WHERE y.sale_id = d.id")
    kind_of = "CASE y.direction WHEN 'RECEIVED' THEN 'BUYER' ELSE 'FARMER' END"
    op.execute(
        f"""
        INSERT INTO parties (id, mill_id, kind, name, opening_balance, created_at, updated_at)
        SELECT gen_random_uuid(), y.mill_id, {kind_of}, min(trim(y.party_name)), 0, min(y.created_at), now()
        FROM payments y
        WHERE y.party_id IS NULL AND NOT EXISTS (
            SELECT 1 FROM parties p
            WHERE p.mill_id = y.mill_id AND p.kind = {kind_of} AND lower(p.name) = lower(trim(y.party_name)))
        GROUP BY y.mill_id, {kind_of}, lower(trim(y.party_name))
        """
    )
    op.execute(
        f"""
        UPDATE payments y SET party_id = (
            SELECT p.id FROM parties p
            WHERE p.mill_id = y.mill_id AND p.kind = {kind_of} AND lower(p.name) = lower(trim(y.party_name))
            ORDER BY p.phone IS NOT NULL, p.created_at, p.id LIMIT 1)
        WHERE y.party_id IS NULL
        """
    )


def downgrade():
    for column in ("tax_amount", "taxable_value", "tax_rate_percent"):
        op.drop_column("sales", column)
    op.drop_constraint(op.f("uq_sales_mill_id_fy_start_invoice_no"), "sales", type_="unique")
    op.create_unique_constraint("uq_sales_mill_id_invoice_no", "sales", ["mill_id", "invoice_no"])
    op.drop_column("sales", "fy_start")
    for table in ("payments", "sales", "paddy_purchases"):
        op.drop_constraint(op.f(f"fk_{table}_party_id_parties"), table, type_="foreignkey")
        op.drop_index(op.f(f"ix_{table}_party_id"), table_name=table)
        op.drop_column(table, "party_id")
    op.drop_index("uq_parties_identity", table_name="parties")
    op.drop_index(op.f("ix_parties_mill_id"), table_name="parties")
    op.drop_table("parties")
