"""The GST split stored on each sale: CGST, SGST, IGST and the buyer's state and GSTIN as invoiced

Revision ID: 0008
Revises: 0006

A printed invoice must not change when a party's state or GSTIN is edited later, so a sale keeps
the split it was made with. Sales written before are filled from their party as it is now and the
mill's state (its settings' `state`, else its GSTIN's state code), with the rule the app uses:
CGST = half the tax rounded half up, SGST the rest, when the states match or either is unknown;
IGST otherwise.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

# The GST state codes (as in ricemill/common/gstin.py, copied: a migration does not change with the app).
STATE_CODES = {
    "01": "Jammu and Kashmir", "02": "Himachal Pradesh", "03": "Punjab", "04": "Chandigarh",
    "05": "Uttarakhand", "06": "Haryana", "07": "Delhi", "08": "Rajasthan", "09": "Uttar Pradesh",
    "10": "Bihar", "11": "Sikkim", "12": "Arunachal Pradesh", "13": "Nagaland", "14": "Manipur",
    "15": "Mizoram", "16": "Tripura", "17": "Meghalaya", "18": "Assam", "19": "West Bengal",
    "20": "Jharkhand", "21": "Odisha", "22": "Chhattisgarh", "23": "Madhya Pradesh", "24": "Gujarat",
    "26": "Dadra and Nagar Haveli and Daman and Diu", "27": "Maharashtra", "29": "Karnataka",
    "30": "Goa", "31": "Lakshadweep", "32": "Kerala", "33": "Tamil Nadu", "34": "Puducherry",
    "35": "Andaman and Nicobar Islands", "36": "Telangana", "37": "Andhra Pradesh", "38": "Ladakh",
}  # fmt: skip

MONEY = sa.Numeric(14, 2)


def upgrade():
    op.add_column("sales", sa.Column("buyer_state", sa.String(length=60), nullable=True))
    op.add_column("sales", sa.Column("buyer_gstin", sa.String(length=15), nullable=True))
    for name in ("cgst_amount", "sgst_amount", "igst_amount"):
        op.add_column("sales", sa.Column(name, MONEY, server_default="0", nullable=False))
    _fill_existing_sales()
    op.create_check_constraint(
        op.f("ck_sales_gst_split_is_the_tax"), "sales", "cgst_amount + sgst_amount + igst_amount = tax_amount"
    )


def _fill_existing_sales():
    """Each sale's buyer state and GSTIN from its party now, and its tax split (see above)."""
    op.execute(
        "UPDATE sales SET buyer_state = parties.state, buyer_gstin = parties.gstin "
        "FROM parties WHERE parties.id = sales.party_id"
    )
    by_code = " ".join(f"WHEN '{code}' THEN '{name}'" for code, name in STATE_CODES.items())
    op.execute(
        f"""
        WITH split AS (
            SELECT s.id,
                   COALESCE(NULLIF(m.settings->>'state', ''),
                            CASE substring(m.settings->>'gstin' FROM 1 FOR 2) {by_code} END) AS mill_state,
                   s.buyer_state, s.tax_amount
            FROM sales s JOIN mills m ON m.id = s.mill_id
            WHERE s.tax_amount <> 0
        ), kind AS (
            SELECT id, tax_amount,
                   (mill_state IS NOT NULL AND buyer_state IS NOT NULL
                    AND lower(mill_state) <> lower(buyer_state)) AS inter
            FROM split
        )
        UPDATE sales SET
            igst_amount = CASE WHEN kind.inter THEN kind.tax_amount ELSE 0 END,
            cgst_amount = CASE WHEN kind.inter THEN 0 ELSE round(kind.tax_amount / 2, 2) END,
            sgst_amount = CASE WHEN kind.inter THEN 0 ELSE kind.tax_amount - round(kind.tax_amount / 2, 2) END
        FROM kind WHERE kind.id = sales.id
        """
    )


def downgrade():
    op.drop_constraint(op.f("ck_sales_gst_split_is_the_tax"), "sales", type_="check")
    for name in ("igst_amount", "sgst_amount", "cgst_amount", "buyer_gstin", "buyer_state"):
        op.drop_column("sales", name)
