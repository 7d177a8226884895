from datetime import date
from decimal import Decimal

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.finance import service as finance
from ricemill.inventory.stock import apply_movement
from ricemill.purchases import service as purchases
from ricemill.sales import service as sales
from tests.parties.authz import make_party


def ledger(client, mill, party, headers, query=""):
    response = client.get(f"/api/v1/mills/{mill.id}/parties/{party.id}/ledger{query}", headers=headers[Role.OPERATOR])
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def test_farmer_ledger_in_date_order_with_running_balance(client, mill, users, headers):
    admin = users[Role.MILL_ADMIN]
    farmer = make_party(mill, admin, opening_balance=Decimal("-100.00"))
    common = {"party_id": farmer.id, "moisture_percent": 17, "rate_per_quintal": 2000}
    first = purchases.create_purchase(
        mill=mill, data={**common, "gross_weight_kg": 1000, "purchase_date": date(2026, 4, 2)}, actor=admin
    )  # 20,000.00
    purchases.create_purchase(
        mill=mill, data={**common, "gross_weight_kg": 500, "purchase_date": date(2026, 4, 10), "weigh_slip_no": "W-7"},
        actor=admin,
    )  # 10,000.00  # fmt: skip
    finance.create_payment(
        mill=mill, data={"direction": "MADE", "amount": 5000, "mode": "CASH", "purchase_id": first.id,
                         "payment_date": date(2026, 4, 5)}, actor=admin,
    )  # fmt: skip
    db.session.commit()

    whole = ledger(client, mill, farmer, headers)
    assert whole["opening"] == -100.0
    assert [(e["date"], e["type"], e["debit"], e["credit"], e["balance"]) for e in whole["entries"]] == [
        ("2026-04-02", "PURCHASE", 0.0, 20000.0, -20100.0),
        ("2026-04-05", "PAYMENT_MADE", 5000.0, 0.0, -15100.0),
        ("2026-04-10", "PURCHASE", 0.0, 10000.0, -25100.0),
    ]
    assert whole["entries"][2]["ref"] == "Slip W-7"
    assert whole["closing"] == -25100.0 == whole["party"]["balance"]
    # purchases - payments made, in the convention's sign, plus the opening balance.
    assert whole["totalCredit"] - whole["totalDebit"] == 30000.0 - 5000.0

    window = ledger(client, mill, farmer, headers, "?dateFrom=2026-04-05&dateTo=2026-04-09")
    assert window["opening"] == -20100.0
    assert [e["type"] for e in window["entries"]] == ["PAYMENT_MADE"]
    assert window["closing"] == -15100.0


def test_buyer_ledger_sales_minus_receipts(client, mill, users, headers):
    admin = users[Role.MILL_ADMIN]
    buyer = make_party(mill, admin, kind="BUYER", name="Venkat Traders", phone=None)
    apply_movement(mill_id=mill.id, stock_type="RICE", change=1000, reason="test stock")
    sale = sales.create_sale(
        mill=mill,
        data={"party_id": buyer.id, "stock_type": "RICE", "quantity_kg": 300, "rate_per_quintal": 4000.33},
        actor=admin,
    )
    finance.create_payment(
        mill=mill, data={"direction": "RECEIVED", "amount": Decimal("0.99"), "mode": "UPI", "sale_id": sale.id},
        actor=admin,
    )  # fmt: skip
    db.session.commit()
    data = ledger(client, mill, buyer, headers)
    assert Decimal(str(data["closing"])) == sale.amount - Decimal("0.99")
    assert data["entries"][0]["ref"] == f"Invoice {sale.invoice_number}"
    assert data["entries"][1]["ref"].startswith("Receipt ")


def test_ledger_date_range_must_be_ordered(client, mill, users, headers):
    party = make_party(mill, users[Role.MILL_ADMIN])
    db.session.commit()
    response = client.get(
        f"/api/v1/mills/{mill.id}/parties/{party.id}/ledger?dateFrom=2026-05-02&dateTo=2026-05-01",
        headers=headers[Role.OPERATOR],
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "dateFrom"
