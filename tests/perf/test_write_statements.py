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

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == self.thread:
            self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._before)

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
    assert owner
