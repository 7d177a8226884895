"""The one publish path: stored at commit with a gapless per-mill seq, handed over after commit only."""

import threading

import pytest
import sqlalchemy as sa

from ricemill.extensions import db
from ricemill.inventory.stock import apply_movement
from ricemill.realtime import outbox
from ricemill.realtime.outbox import store
from ricemill.realtime.outbox.models import MillEvent
from tests.factories import make_mill


@pytest.fixture
def dispatched():
    seen = []
    store.set_dispatcher(seen.extend)
    yield seen
    store.set_dispatcher(None)


def _events(mill):
    return db.session.execute(
        sa.select(MillEvent.seq, MillEvent.name).where(MillEvent.mill_id == mill.id).order_by(MillEvent.seq)
    ).all()


def test_events_are_stored_with_seq_and_dispatched_after_commit(dispatched):
    mill = make_mill()
    apply_movement(mill_id=mill.id, stock_type="PADDY", change=100, reason="test")
    assert dispatched == []  # nothing before the commit
    assert _events(mill) == []
    db.session.commit()
    assert [(e["seq"], e["name"]) for e in dispatched] == [(1, "stock:updated")]
    record = dispatched[0]
    assert record["millId"] == str(mill.id)
    assert record["payload"] == {
        "stockType": "PADDY", "quantity": 100.0, "minStockLevel": 0.0, "change": 100.0, "reason": "test",
        "millId": str(mill.id), "seq": 1,
    }  # fmt: skip
    apply_movement(mill_id=mill.id, stock_type="PADDY", change=-40, reason="test")
    db.session.commit()
    assert _events(mill) == [(1, "stock:updated"), (2, "stock:updated")]


def test_rolled_back_change_records_and_dispatches_nothing(dispatched):
    mill = make_mill()
    apply_movement(mill_id=mill.id, stock_type="RICE", change=5, reason="will roll back")
    db.session.rollback()
    db.session.commit()
    assert dispatched == []
    assert _events(mill) == []


def test_sequences_are_per_mill(dispatched):
    a, b = make_mill(), make_mill()
    for mill in (a, b, a):
        apply_movement(mill_id=mill.id, stock_type="BRAN", change=1, reason="t")
        db.session.commit()
    assert [s for s, _ in _events(a)] == [1, 2]
    assert [s for s, _ in _events(b)] == [1]


def test_after_commit_callbacks_run_only_on_commit():
    ran = []
    outbox.after_commit(lambda: ran.append("first"))
    db.session.rollback()
    outbox.after_commit(lambda: ran.append("second"))
    db.session.commit()
    assert ran == ["second"]


def test_publish_refuses_unknown_events():
    with pytest.raises(ValueError):
        outbox.publish("not:an-event", "00000000-0000-0000-0000-000000000000", {})


@pytest.mark.committed
def test_seq_is_gapless_and_in_commit_order_under_concurrency(app):
    """8 threads × 25 commits on one mill, some rolled back: seqs are 1..N with no gap, in commit order."""
    from ricemill.mills import service

    with app.app_context():
        mill = service.create_mill(data={"name": "Seq", "code": "SEQ"})
        db.session.commit()
        mill_id = mill.id
    errors = []

    def worker(n):
        with app.app_context():
            try:
                for i in range(25):
                    apply_movement(mill_id=mill_id, stock_type="HUSK", change=1, reason=f"w{n}-{i}")
                    if i % 5 == 4:
                        db.session.rollback()
                    else:
                        db.session.commit()
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with app.app_context():
        rows = db.session.execute(
            sa.select(MillEvent.seq, MillEvent.id, MillEvent.payload).where(MillEvent.mill_id == mill_id)
            .order_by(MillEvent.seq)
        ).all()  # fmt: skip
        assert [r.seq for r in rows] == list(range(1, 8 * 20 + 1))
        # commit order: the stock quantity each event reports rises with seq
        assert [r.payload["quantity"] for r in rows] == [float(n) for n in range(1, 161)]
        db.session.remove()
