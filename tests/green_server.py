"""A real eventlet server process for the psycopg2-under-eventlet test (run by tests/test_green.py).

Two routes on one process: /hold takes a row lock, then yields to the hub (as a request waiting on
any other I/O would) before committing; /wait asks for the same row lock. With psycopg2 made green
(eventlet.monkey_patch's psycopg patcher), /wait's blocked query yields and /hold finishes, so both
finish. Without it, /wait's query blocks the whole process and /hold can never commit: the run ends
on lock_timeout.
"""

import os
import sys

import eventlet

# app.py patches everything, psycopg2 included (eventlet's own psycopg patcher); the control run
# leaves psycopg2 blocking to show that the test can fail.
eventlet.monkey_patch(psycopg=os.environ.get("GREEN_PSYCOPG", "1") == "1")

import sqlalchemy as sa  # noqa: E402
from eventlet import wsgi  # noqa: E402

from ricemill import create_app  # noqa: E402
from ricemill.extensions import db  # noqa: E402

app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": os.environ["GREEN_DB_URL"]})


@app.post("/hold")
def hold():
    db.session.execute(sa.text("SET LOCAL lock_timeout = '3s'"))
    db.session.execute(sa.text("SELECT id FROM mills WHERE code = 'GREEN' FOR UPDATE"))
    eventlet.sleep(0.5)  # another request runs meanwhile
    db.session.commit()
    return {"held": True}


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
