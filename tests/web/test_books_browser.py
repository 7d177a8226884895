"""The parties and ledger pages in headless Chromium against the real server (see conftest.py)."""

import pytest

from ricemill.auth.roles import Role
from tests.factories import make_mill, make_user

from .conftest import wait_live

pytestmark = [pytest.mark.committed, pytest.mark.browser]


def test_a_payment_updates_the_partys_balance_live_on_another_page(seed, open_page, rest):
    from playwright.sync_api import expect

    mill = make_mill("Ledger Mill")
    manager = make_user(Role.MANAGER, mill, name="Lakshmi")
    watcher = make_user(Role.OPERATOR, mill, name="Ravi")
    api = rest(manager)
    # 5,612.8 kg net at ₹2,200 a quintal: ₹1,23,481.60 owed to Ramesh
    body = {"farmerName": "Ramesh", "farmerPhone": "98450 12345", "grossWeightKg": 5612.8, "moisturePercent": 17}
    purchase = api.post("/paddy-purchases", {**body, "ratePerQuintal": 2200})
    party_id = purchase["partyId"]

    parties = open_page(watcher, "/parties")
    ledger = open_page(watcher, f"/parties/{party_id}")
    wait_live(parties)
    wait_live(ledger)
    row = parties.locator(f"#parties-table tr[data-id='{party_id}']")
    expect(row).to_contain_text("-₹1,23,481.60")
    expect(ledger.locator("#closing")).to_have_text("-₹1,23,481.60")

    api.post("/payments", {"direction": "MADE", "amount": 23481.60, "mode": "CASH", "purchaseId": purchase["id"]})
    expect(row).to_contain_text("-₹1,00,000.00", timeout=2000)
    expect(ledger.locator("#closing")).to_have_text("-₹1,00,000.00", timeout=2000)
    expect(ledger.locator("#ledger-table tbody tr")).to_have_count(2)

    # "Whom we owe" lists him; "Who owes us" does not.
    parties.check("input[name=owing][value=us]")
    expect(parties.locator(f"#parties-table tr[data-id='{party_id}']")).to_have_count(0)
    parties.check("input[name=owing][value=them]")
    expect(parties.locator(f"#parties-table tr[data-id='{party_id}']")).to_have_count(1)
