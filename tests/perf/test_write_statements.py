"""How many SQL statements one write runs on the request's thread (a count, never a timing).

Issue 13: a paddy purchase without an Idempotency-Key is one transaction of at most 7 statements.
The test commits for real (marker `committed`), so the count is what production runs: no savepoints.
"""

import threading

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db
from tests.factories import auth_header, make_mill, make_user

MAX_PURCHASE_STATEMENTS = 7

BODY = {
    "farmerName": "Suresh",
    "village": "Kothapalli",
    "variety": "Sona Masuri",
    "bags": 25,
    "grossWeightKg": 1300.5,
    "tareWeightKg": 50.5,
    "moisturePercent": 19.5,
    "ratePerQuintal": 2250,
}


class StatementLog:
    """Statements executed on one thread's connections (background threads are not the request)."""

    def __init__(self, engine):
        self.engine = engine
        self.thread = threading.get_ident()
        self.statements: list[str] = []
        self.commits = 0

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == self.thread:
            self.statements.append(statement)

    def _commit(self, conn):
        if threading.get_ident() == self.thread:
            self.commits += 1

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "commit", self._commit)

    def report(self) -> str:
        return "\n".join(f"{i + 1}. {s.split()[0]} {' '.join(s.split())[:160]}" for i, s in enumerate(self.statements))


def _post(app, path, headers, body):
    with app.app_context(), StatementLog(db.engine) as log:
        response = app.test_client().post(path, json=body, headers=headers)
    return response, log


@pytest.mark.committed
def test_purchase_is_at_most_seven_statements(app):
    with app.app_context():
        mill = make_mill()
        owner = make_user(Role.MILL_ADMIN, mill)
        make_user(Role.MANAGER, mill)
        operator = make_user(Role.OPERATOR, mill)
        headers = auth_header(operator)
        path = f"/api/v1/mills/{mill.id}/paddy-purchases"
    warm, _ = _post(app, path, headers, BODY)  # the farmer exists from now on, as for a mill's regulars
    assert warm.status_code == 201, warm.get_json()
    response, log = _post(app, path, headers, BODY)
    assert response.status_code == 201, response.get_json()
    assert len(log.statements) <= MAX_PURCHASE_STATEMENTS, log.report()
    assert log.commits == 1  # one transaction: no key, so no idempotency claim of its own
    assert owner
    with app.app_context():  # what the merged statements wrote
        stored = db.session.execute(
            sa.text(
                "SELECT e.seq, e.payload->>'seq' AS payload_seq, e.payload->>'millId' AS mill"
                " FROM mill_events e WHERE e.mill_id = :m ORDER BY e.seq"
            ),
            {"m": mill.id},
        ).all()
        assert [row.seq for row in stored] == list(range(1, len(stored) + 1))
        assert all(row.payload_seq == str(row.seq) and row.mill == str(mill.id) for row in stored)
        recipients = db.session.scalar(sa.text("SELECT count(*) FROM notification_recipients"))
        assert recipients == 2 * 3  # each purchase's notification reaches the mill's three users
        ledger = db.session.scalars(
            sa.text("SELECT quantity_after FROM stock_ledger WHERE mill_id = :m ORDER BY id"), {"m": mill.id}
        ).all()
        assert len(ledger) == 2 and ledger[1] == 2 * ledger[0]


@pytest.mark.committed
def test_a_known_farmers_purchase_is_three_statements(app):
    """The token's user, the purchase INSERT finding its farmer and moving its paddy into stock, and the
    events' statement carrying the notification: no SELECT of the party, no statement of its own for
    the movement or the notification."""
    with app.app_context():
        mill = make_mill()
        operator = make_user(Role.OPERATOR, mill)
        headers = auth_header(operator)
        path = f"/api/v1/mills/{mill.id}/paddy-purchases"
    first, log = _post(app, path, headers, BODY)  # a new farmer: created, then the purchase
    assert first.status_code == 201, first.get_json()
    assert sum(s.startswith("INSERT INTO parties") for s in log.statements) == 1, log.report()
    response, log = _post(app, path, headers, BODY)
    assert response.status_code == 201, response.get_json()
    kinds = [" ".join(s.split()[:3]) for s in log.statements]
    assert len(log.statements) == 3, log.report()
    assert kinds[0].startswith("SELECT users.") and "INSERT INTO paddy_purchases" in log.statements[1], log.report()
    assert "FROM parties" in log.statements[1] and "UPDATE stocks" in log.statements[1], log.report()
    assert "INSERT INTO notifications" in log.statements[2] and "INSERT INTO mill_events" in log.statements[2]
    assert response.get_json()["data"]["partyId"] == first.get_json()["data"]["partyId"]
    with app.app_context():
        counts = db.session.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM parties WHERE mill_id = :m),"
                " (SELECT count(*) FROM notifications WHERE mill_id = :m),"
                " (SELECT count(*) FROM notification_recipients r JOIN notifications n ON n.id = r.notification_id"
                "  WHERE n.mill_id = :m)"
            ),
            {"m": mill.id},
        ).one()
        assert tuple(counts) == (1, 2, 2)


@pytest.mark.committed
def test_with_a_key_the_claim_shares_the_one_transaction(app):
    with app.app_context():
        mill = make_mill()
        headers = {**auth_header(make_user(Role.OPERATOR, mill)), "Idempotency-Key": "f2-one-transaction-0001"}
        path = f"/api/v1/mills/{mill.id}/paddy-purchases"
    response, log = _post(app, path, headers, BODY)
    assert response.status_code == 201, response.get_json()
    assert log.commits == 1, log.report()
    replay, log = _post(app, path, headers, BODY)
    assert replay.status_code == 201 and replay.get_json() == response.get_json()
