"""REST writes: requests/s of `POST /api/v1/mills/{id}/paddy-purchases` (validation, computed fields,
ledger row, stock update, events stored, emitted after commit) against a bare insert-and-commit
endpoint on the same stack (QUALITY.md: >= 60% of the bare rate).

One bench server (`bench.server`: the product app on eventlet, as `python app.py` serves it) on the
bench database; the load comes from `wrk` (C, keep-alive; `--connections` concurrent connections,
one thread) or, without wrk, from Python threads. The three endpoints run in turns, `--rounds`
times, so the machine's background load hits all of them alike; the figures are the medians of
the rounds:

- `purchase`: the product route, requests spread over `--mills` mills, each with its own token;
- `bare`: `POST /bench/bare`, one ORM insert and commit, no authentication;
- `bare_auth`: the same insert behind the product's `mill_access` (JWT check, user and mill loaded).

`--listeners` socket clients per mill stay connected during the run, so the emits reach someone.
"""

import argparse
import asyncio
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time

import sqlalchemy as sa

from . import harness
from .sioclient import SioClient, connect_many

PURCHASE_BODY = {
    "farmerName": "Suresh",
    "village": "Kothapalli",
    "variety": "Sona Masuri",
    "bags": 25,
    "grossWeightKg": 1300.5,
    "tareWeightKg": 50.5,
    "moisturePercent": 19.5,
    "ratePerQuintal": 2250,
    "vehicleNumber": "AP 09 AB 1234",
}


def _lua(requests: list[tuple[str, dict, str]]) -> str:
    """A wrk script cycling through (path, headers, body) triples."""

    def lua_str(s: str) -> str:
        return "[==[" + s + "]==]"

    items = ",\n".join(
        "{" + lua_str(path) + ", {" + ", ".join(f"[ {lua_str(k)} ]={lua_str(v)}" for k, v in headers.items()) + "}, "
        f"{lua_str(body)}}}"
        for path, headers, body in requests
    )
    return f"""
local reqs = {{
{items}
}}
local i = 0
request = function()
  i = i + 1
  local r = reqs[(i % #reqs) + 1]
  return wrk.format("POST", r[1], r[2], r[3])
end
"""


def _wrk(base: str, requests, *, connections: int, seconds: float) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_lua(requests))
        script = f.name
    try:
        proc = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "-s", script, base],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        )
    finally:
        os.unlink(script)
    if proc.stderr.strip():  # a broken script makes wrk fall back to GET / silently: refuse that
        raise RuntimeError(f"wrk: {proc.stderr.strip()}")
    out = proc.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    return {
        "requests_per_s": rps,
        "requests": total,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else None,
        "latency_p50": lat.get("50"),
        "latency_p99": lat.get("99"),
    }


def _python_load(port: int, requests, *, connections: int, seconds: float) -> dict:
    """Fallback without wrk: `connections` threads, each a keep-alive http.client connection."""
    counts, bad, lock = [0], [0], threading.Lock()
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    def worker(offset: int):
        conn = http.client.HTTPConnection(harness.HOST, port, timeout=30)
        i = offset
        while time.perf_counter() < stop:
            path, headers, body = requests[i % len(requests)]
            i += connections
            start = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            with lock:
                counts[0] += 1
                latencies.append(time.perf_counter() - start)
                if resp.status >= 300:
                    bad[0] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    begin = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - begin
    lat = harness.summarize_ms(latencies)
    return {
        "requests_per_s": round(counts[0] / elapsed, 1),
        "requests": counts[0],
        "non_2xx": bad[0],
        "latency_p50": f"{lat['median_ms']}ms",
        "latency_p99": f"{lat['p99_ms']}ms",
    }


def _db_counters(url: str) -> dict:
    """The bench database's transaction and row counters (pg_stat_database; the database is ours alone)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT xact_commit, tup_inserted, tup_updated, tup_fetched FROM pg_stat_database "
                "WHERE datname = current_database()"
            )
        ).one()
    engine.dispose()
    return {"transactions": row[0], "rows_inserted": row[1], "rows_updated": row[2], "rows_fetched": row[3]}


def _listeners(port: int, tokens: list[str], per_mill: int):
    """Socket clients held open in a background thread's event loop; returns (stop, state)."""
    state: dict = {"failures": None, "events": 0}
    ready, done = threading.Event(), threading.Event()

    def runner():
        async def main():
            clients = [SioClient(harness.HOST, port, t, parse=False) for t in tokens for _ in range(per_mill)]
            state["failures"] = await connect_many(clients)
            ready.set()
            while not done.is_set():
                await asyncio.sleep(0.2)
            state["events"] = sum(c.events for c in clients)
            for c in clients:
                await c.close()

        asyncio.run(main())

    thread = threading.Thread(target=runner, daemon=True)
    thread.start()
    ready.wait(120)

    def stop():
        done.set()
        thread.join(30)

    return stop, state


def run(
    *,
    mills: int,
    connections: int,
    seconds: float,
    rounds: int,
    listeners: int,
    tool: str,
    warmup: float = 2,
    stats_wait: float = 11,
    counter_seconds: float = 3,
) -> dict:
    with harness.LoadSampler() as load, harness.bench_database("rest") as url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            mill_ids = harness.insert_mills(conn, mills, prefix="RW")
            users = harness.insert_users(conn, mill_ids)
        engine.dispose()
        tokens = harness.tokens_for(url, list(users.values()))
        json_h = {"Content-Type": "application/json"}
        body = json.dumps(PURCHASE_BODY)
        endpoints = {
            "purchase": [
                (
                    f"/api/v1/mills/{m}/paddy-purchases",
                    {**json_h, "Authorization": f"Bearer {tokens[users[m]['id']]}"},
                    body,
                )
                for m in mill_ids
            ],
            "bare": [("/bench/bare", json_h, json.dumps({"millId": m})) for m in mill_ids],
            "bare_auth": [
                (f"/bench/bare-auth/{m}", {**json_h, "Authorization": f"Bearer {tokens[users[m]['id']]}"}, "{}")
                for m in mill_ids
            ],
        }
        runs: dict[str, list[dict]] = {name: [] for name in endpoints}
        per_request: dict[str, dict] = {}
        with harness.BenchServer(url) as server:
            stop_listeners, listener_state = _listeners(
                server.port, [tokens[users[m]["id"]] for m in mill_ids], listeners
            )
            try:
                for reqs in endpoints.values():  # warm-up: connections, caches
                    _load(tool, server, reqs, connections=connections, seconds=warmup)
                for _ in range(rounds):
                    for name, reqs in endpoints.items():
                        runs[name].append(_load(tool, server, reqs, connections=connections, seconds=seconds))
                # What one request costs the database: counters before and after a short run of each,
                # after PostgreSQL's idle backends have flushed their statistics (up to 10 s).
                for name, reqs in endpoints.items():
                    time.sleep(stats_wait)
                    before = _db_counters(url)
                    outcome = _load(tool, server, reqs, connections=connections, seconds=counter_seconds)
                    time.sleep(stats_wait)
                    after = _db_counters(url)
                    per_request[name] = {
                        k: round((after[k] - before[k]) / max(outcome["requests"], 1), 2) for k in after
                    }
            finally:
                stop_listeners()
            server_stats = server.stats()
        with sa.create_engine(url).connect() as conn:
            written = {
                "purchases": conn.scalar(sa.text("SELECT count(*) FROM paddy_purchases")),
                "ledger": conn.scalar(sa.text("SELECT count(*) FROM stock_ledger")),
                "events": conn.scalar(sa.text("SELECT count(*) FROM mill_events")),
            }
        machine = harness.machine(url)
    med = {name: statistics.median(r["requests_per_s"] for r in rs) for name, rs in runs.items()}
    return {
        "benchmark": "rest_writes",
        "size": {"mills": mills, "connections": connections, "seconds": seconds, "rounds": rounds, "tool": tool},
        "median_requests_per_s": med,
        "ratio_purchase_over_bare": round(med["purchase"] / med["bare"], 3) if med["bare"] else None,
        "ratio_purchase_over_bare_auth": round(med["purchase"] / med["bare_auth"], 3) if med["bare_auth"] else None,
        "target": {"ratio_min": 0.6},
        "rounds": runs,
        "database_work_per_request": per_request,
        "listeners": {
            "per_mill": listeners,
            "connect_failures": listener_state["failures"],
            "events_received": listener_state["events"],
        },
        "rows_written": written,
        "server_rss_mb": round(server_stats["rss"] / 2**20, 1),
        "product_dispatcher": server_stats["product_dispatcher"],
        "machine": machine,
        "load_average_1m": load.summary(),
    }


def _load(tool: str, server, reqs, *, connections: int, seconds: float) -> dict:
    if tool == "wrk":
        return _wrk(server.base, reqs, connections=connections, seconds=seconds)
    return _python_load(server.port, reqs, connections=connections, seconds=seconds)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mills", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--listeners", type=int, default=1, help="socket clients per mill during the run")
    parser.add_argument("--tool", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up load per endpoint")
    parser.add_argument(
        "--stats-wait",
        type=float,
        default=11,
        help="seconds to let PostgreSQL's idle backends flush their statistics around the per-request "
        "counters (10 s in PostgreSQL); the test suite's smoke run passes 0 and ignores those figures",
    )
    parser.add_argument(
        "--counter-seconds", type=float, default=3, help="seconds of load per endpoint for the per-request counters"
    )
    harness.add_common_args(parser)
    args = parser.parse_args(argv)
    result = run(
        mills=args.mills,
        connections=args.connections,
        seconds=args.seconds,
        rounds=args.rounds,
        listeners=args.listeners,
        tool=args.tool,
        warmup=args.warmup,
        stats_wait=args.stats_wait,
        counter_seconds=args.counter_seconds,
    )
    med, m = result["median_requests_per_s"], result["machine"]
    bad = {name: sum(r["non_2xx"] for r in rs) for name, rs in result["rounds"].items()}
    ratio = result["ratio_purchase_over_bare"]
    notes = [
        f"Median requests/s over {args.rounds} rounds of {args.seconds} s, {args.connections} keep-alive connections "
        f"({args.tool}), spread over {args.mills} mills: purchase {med['purchase']:.0f}, bare insert "
        f"{med['bare']:.0f}, bare insert behind mill_access {med['bare_auth']:.0f}.",
        f"Ratio purchase / bare = {ratio} (target >= 0.6: {'met' if ratio and ratio >= 0.6 else 'MISSED'}); "
        f"purchase / bare-with-auth = {result['ratio_purchase_over_bare_auth']}.",
        "Per request (pg_stat_database deltas, background work included): "
        + "; ".join(
            f"{name} {w['transactions']} transactions, {w['rows_inserted']} rows inserted, {w['rows_updated']} updated"
            for name, w in result["database_work_per_request"].items()
        )
        + ".",
        f"Non-2xx responses: {bad}. Socket listeners: {args.listeners} per mill, "
        f"{result['listeners']['events_received']} events received.",
        f"Client (wrk or Python) and server share the {m['nproc']} cores ({m['cpu']}), {m['memory_total']} RAM; "
        f"Python {m['python']}, PostgreSQL {m.get('postgresql')}; 1-min load average during the run "
        f"{result['load_average_1m']} (other engineers' tests run on this machine too).",
    ]
    return harness.finish("rest_writes", "REST writes", result, notes, args)


if __name__ == "__main__":
    main()
