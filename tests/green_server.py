"""A real eventlet server process for the psycopg2-under-eventlet test (run by tests/test_green.py).

Two routes on one process: /hold takes a row lock, then yields to the hub (as a request waiting on
any other I/O would) until it sees another session waiting for that lock, and commits; /wait asks for
the same row lock. With psycopg2 made green (eventlet.monkey_patch's psycopg patcher), /wait's blocked
query yields, /hold sees it waiting and finishes, so both finish. Without it, /wait's query blocks the
whole process and /hold can never commit: the run ends on lock_timeout.
"""

import os
import sys
import time

import eventlet

# app.py patches everything, psycopg2 included (eventlet's own psycopg patcher); the control run
# leaves psycopg2 blocking to show that the test can fail.
eventlet.monkey_patch(psycopg=os.environ.get("GREEN_PSYCOPG", "1") == "1")

import sqlalchemy as sa  # noqa: E402
from eventlet import wsgi  # noqa: E402

from ricemill import create_app  # noqa: E402
from ricemill.extensions import db  # noqa: E402

WAITING_FOR_A_LOCK = sa.text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
)
app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": os.environ["GREEN_DB_URL"]})


@app.post("/hold")
def hold():
    db.session.execute(sa.text("SET LOCAL lock_timeout = '3s'"))
    db.session.execute(sa.text("SELECT id FROM mills WHERE code = 'GREEN' FOR UPDATE"))
    saw_waiter, deadline = False, time.monotonic() + 4
    while not saw_waiter and time.monotonic() < deadline:
        eventlet.sleep(0.02)  # another request runs meanwhile
        db.session.execute(sa.text("SELECT pg_stat_clear_snapshot()"))  # else the view stays as first read
        saw_waiter = db.session.execute(WAITING_FOR_A_LOCK).scalar() > 0
    db.session.commit()
    return {"held": True, "sawWaiter": saw_waiter}


@app.post("/wait")
def wait():
    db.session.execute(sa.text("SET LOCAL lock_timeout = '3s'"))
    db.session.execute(sa.text("SELECT id FROM mills WHERE code = 'GREEN' FOR UPDATE"))
    db.session.commit()
    return {"waited": True}


if __name__ == "__main__":
    sock = eventlet.listen(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    sys.stdout.flush()
    wsgi.server(sock, app, log_output=False)
