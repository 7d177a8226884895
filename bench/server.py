"""The server the network benchmarks measure: the product app on eventlet, as `python app.py` runs
it, on the bench database, plus a few bench-only routes on this process's own app instance (the
product has none of them):

- `POST /bench/bare`: insert one purchase row with the ORM and commit; nothing else. The baseline
  of the REST-writes benchmark. `POST /bench/bare-auth/<mill_id>`: the same behind the product's
  `mill_access` (JWT check and mill lookup), to show what authorisation alone costs.
- `POST /bench/emit {millId, count, batch}`: `count` events back to back to the mill's room through
  the product's emitter (yielding every `batch`), for the broadcast benchmark.
- `GET /bench/stats`: RSS, open Engine.IO sockets, and the time each committed event was handed to
  the dispatcher (right after its commit), keyed `millId:seq`.

Run by bench.harness.BenchServer: `python -m bench.server --port N` with BENCH_DB_URL and
BENCH_JWT_SECRET in the environment. Listens on 127.0.0.1 only.
"""

import eventlet

eventlet.monkey_patch()

import os  # noqa: E402
import tracemalloc  # noqa: E402

if os.environ.get("BENCH_TRACEMALLOC"):  # before the app exists, so its allocations are traced too
    tracemalloc.start(int(os.environ["BENCH_TRACEMALLOC"]))

import argparse  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import date  # noqa: E402
from decimal import Decimal  # noqa: E402

from flask import g, request  # noqa: E402

from ricemill import create_app  # noqa: E402
from ricemill.auth.access import mill_access  # noqa: E402
from ricemill.auth.roles import Permission  # noqa: E402
from ricemill.extensions import db, socketio  # noqa: E402
from ricemill.purchases.models import PaddyPurchase  # noqa: E402
from ricemill.realtime.outbox import store  # noqa: E402
from ricemill.realtime.sockets import emitter  # noqa: E402

COMMIT_TIMES: dict[str, float] = {}
TRACEMALLOC_MARK: dict[str, tracemalloc.Snapshot] = {}
PRODUCT_DISPATCHER = {"present": False}


def build_app():
    app = create_app(
        "production",
        {
            "SQLALCHEMY_DATABASE_URI": os.environ["BENCH_DB_URL"],
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "JWT_SECRET_KEY": os.environ["BENCH_JWT_SECRET"],
            "RUN_SCHEDULER": False,
            # The benchmarks connect many sockets with one user's token (100 in one room for the
            # broadcast): the product's per-user cap (SOCKET_MAX_PER_USER) is not what they measure.
            "SOCKET_MAX_PER_USER": 1_000_000,
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        },
    )
    _time_commits()
    _add_routes(app)
    return app


def _time_commits() -> None:
    """Wrap the realtime layer's dispatcher: it is called right after each commit. Checked again
    before each request in case the realtime layer installs its dispatcher late."""
    current = store._dispatcher
    if getattr(current, "bench_timed", False):
        return

    def timed(records):
        now = time.time()
        for rec in records:
            COMMIT_TIMES[f"{rec['millId']}:{rec['seq']}"] = now
        if current is not None:
            current(records)

    timed.bench_timed = True
    PRODUCT_DISPATCHER["present"] = current is not None
    store.set_dispatcher(timed)


def _bare_insert(mill_id) -> dict:
    row = PaddyPurchase(
        mill_id=mill_id,
        farmer_name="Bench farmer",
        gross_weight_kg=Decimal("1000.000"),
        tare_weight_kg=Decimal("50.000"),
        moisture_percent=Decimal("17.000"),
        standard_moisture_percent=Decimal("17.000"),
        moisture_deduction_kg=Decimal("0.000"),
        net_weight_kg=Decimal("950.000"),
        rate_per_quintal=Decimal("2200.00"),
        amount=Decimal("20900.00"),
        purchase_date=date.today(),
    )
    db.session.add(row)
    db.session.flush()
    row_id = str(row.id)  # read before the commit, which expires the row (no SELECT after it)
    db.session.commit()
    return {"success": True, "statusCode": 201, "data": {"id": row_id}}


def _rss_bytes() -> int:
    """Resident set size of this process, from /proc (Linux)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _count_greenlets() -> int:
    """Live greenlets: each holds its saved stack on the heap, a large part of a connection's cost."""
    import gc

    import greenlet

    # type(), not isinstance(): werkzeug's LocalProxy objects raise on __class__ outside a context.
    return sum(1 for o in gc.get_objects() if issubclass(type(o), greenlet.greenlet))


def _add_routes(app) -> None:
    app.before_request(_time_commits)

    @app.post("/bench/bare")
    def bench_bare():
        return _bare_insert(uuid.UUID(request.get_json()["millId"])), 201

    @app.post("/bench/bare-auth/<uuid:mill_id>")
    @mill_access(Permission.CREATE)
    def bench_bare_auth(mill_id):
        return _bare_insert(g.mill.id), 201

    @app.post("/bench/emit")
    def bench_emit():
        body = request.get_json()
        count, batch = int(body["count"]), int(body.get("batch", 100))
        pad = "x" * int(body.get("padding", 400))
        profile_to = os.environ.get("BENCH_PROFILE_EMIT")  # a file for cProfile's stats of the loop
        profiler = None
        if profile_to:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        start = time.time()
        for i in range(count):
            emitter.to_mill("bench:tick", {"i": i, "t": time.time(), "pad": pad}, body["millId"])
            if (i + 1) % batch == 0:
                eventlet.sleep(0)
        seconds = time.time() - start
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile_to)
        return {"emitted": count, "seconds": seconds}

    def _short_path(where: str) -> str:
        """A source line as 'eventlet/wsgi.py:837' or 'stdlib/socket.py:338': no path of this machine."""
        where = re.sub(r"^.*/site-packages/", "", where)
        where = re.sub(r"^.*/(ricemill|bench|tests)/", r"\1/", where)
        return re.sub(r"^.*/lib/python3\.\d+/", "stdlib/", where)

    @app.get("/bench/tracemalloc/<action>")
    def bench_tracemalloc(action):
        """`mark`: remember a snapshot; `diff`: what was allocated since, by source line (top 25)."""
        if not tracemalloc.is_tracing():
            return {"error": "start the server with BENCH_TRACEMALLOC=<frames>"}, 409
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        if action == "mark":
            TRACEMALLOC_MARK["mark"] = snapshot
            return {"traced_bytes": tracemalloc.get_traced_memory()[0]}
        stats = snapshot.compare_to(TRACEMALLOC_MARK["mark"], "lineno")
        out = {
            "traced_bytes_growth": sum(stat.size_diff for stat in stats),
            "top": [
                {"where": _short_path(str(stat.traceback[0])), "bytes": stat.size_diff, "count": stat.count_diff}
                for stat in sorted(stats, key=lambda stat: -stat.size_diff)[:25]
            ],
        }
        if tracemalloc.get_traceback_limit() > 1:  # the same growth by call chain (innermost first)
            chains = snapshot.compare_to(TRACEMALLOC_MARK["mark"], "traceback")
            out["top_chains"] = [
                {
                    "where": [_short_path(str(frame)) for frame in reversed(stat.traceback)],
                    "bytes": stat.size_diff,
                    "count": stat.count_diff,
                }
                for stat in sorted(chains, key=lambda stat: -stat.size_diff)[:40]
            ]
        return out

    @app.get("/bench/stats")
    def bench_stats():
        eio = getattr(socketio.server, "eio", None)
        return {
            "rss": _rss_bytes(),
            "eio_sockets": len(getattr(eio, "sockets", {}) or {}),
            "product_dispatcher": PRODUCT_DISPATCHER["present"],
            "commit_times": COMMIT_TIMES if request.args.get("commits") else {},
            "greenlets": _count_greenlets() if request.args.get("greenlets") else None,
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--max-size",
        type=int,
        default=None,
        help="eventlet.wsgi.server's max_size (its default, as app.py runs, is 1024 connections at once)",
    )
    args = parser.parse_args()
    app = build_app()
    extra = {"max_size": args.max_size} if args.max_size else {}
    socketio.run(app, host="127.0.0.1", port=args.port, use_reloader=False, log_output=False, **extra)


if __name__ == "__main__":
    main()
