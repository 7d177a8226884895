"""Idle connections: `--connections` websocket clients held on one server process, and the server's
memory per connection (QUALITY.md: 10,000 idle clients, all held; goal <= 20 KB each).

The clients (bench.sioclient, one asyncio loop in this process, a separate process from the
server) authenticate with their mill user's token, so each is a real session of the product: user
loaded, rooms `user:` and `mill:` joined, `connected` sent. They then stay idle for `--hold`
seconds (longer than the 25 s ping interval, so every client must answer a ping to survive).
RSS of the server process: after one warm-up connection, after all are connected, at the end.

eventlet.wsgi.server, which `socketio.run` (and so `python app.py`) uses, serves at most
`max_size` = 1024 connections at once by default: beyond that new connections wait. `--max-size`
passes a larger one to the bench server (default: connections + 100); `--max-size 0` keeps
eventlet's default, to show the limit.
"""

import argparse
import asyncio
import resource
import time

import sqlalchemy as sa

from . import harness
from .sioclient import SioClient, connect_many


def _stats(server) -> dict:
    """The server's stats, or what the failure was (past max_size even this request waits)."""
    try:
        return server.stats(greenlets=True)
    except OSError as error:
        return {"rss": None, "eio_sockets": None, "error": repr(error)}


async def _hold(
    port: int,
    tokens: list[str],
    server,
    *,
    connections: int,
    hold: float,
    concurrency: int,
    tracemalloc: int = 0,
    settle: float = 2.0,
) -> dict:
    warm = SioClient(harness.HOST, port, tokens[0])
    await warm.connect(30)
    await asyncio.sleep(settle / 4)
    await warm.close()
    await asyncio.sleep(settle / 2)
    loop = asyncio.get_running_loop()
    before = await loop.run_in_executor(None, _stats, server)
    if tracemalloc:
        await loop.run_in_executor(None, server.get, "/bench/tracemalloc/mark", 300)
    clients = [SioClient(harness.HOST, port, tokens[i % len(tokens)]) for i in range(connections)]
    started = time.perf_counter()
    failures = await connect_many(clients, concurrency=concurrency, timeout=60)
    connect_seconds = time.perf_counter() - started
    await asyncio.sleep(settle)  # the handshakes' garbage collected and the server idle before its RSS is read
    after = await loop.run_in_executor(None, _stats, server)
    if tracemalloc:
        after["tracemalloc"] = await loop.run_in_executor(None, server.get, "/bench/tracemalloc/diff", 300)
    await asyncio.sleep(hold)
    end = await loop.run_in_executor(None, _stats, server)
    held = sum(1 for c in clients if c.connected and not c.closed)
    for c in clients:
        await c.close()
    return {
        "before": before,
        "after": after,
        "end": end,
        "connected": connections - len(failures),
        "held_to_end": held,
        "failures": len(failures),
        "failure_samples": sorted(set(failures))[:3],
        "connect_seconds": round(connect_seconds, 1),
    }


def _per_connection(diff: dict | None, connected: int) -> dict | None:
    """The traced growth (Python allocations: objects, and greenlets' saved C stacks) per connection."""
    if not diff or not connected:
        return None
    return {
        "traced_bytes_per_connection": round(diff["traced_bytes_growth"] / connected),
        "top_per_connection": [
            {
                "where": row["where"],
                "bytes": round(row["bytes"] / connected),
                "count": round(row["count"] / connected, 2),
            }
            for row in diff["top"]
            if row["bytes"] / connected >= 16
        ],
        # with --tracemalloc N > 1: the same growth by call chain, innermost frame first
        "top_chains_per_connection": [
            {
                "where": row["where"],
                "bytes": round(row["bytes"] / connected),
                "count": round(row["count"] / connected, 2),
            }
            for row in diff.get("top_chains", [])
            if row["bytes"] / connected >= 16
        ],
    }


def run(
    *,
    connections: int,
    mills: int,
    hold: float,
    concurrency: int,
    max_size: int | None,
    tracemalloc: int = 0,
    settle: float = 2.0,
) -> dict:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, connections + 1000)
    if soft < want:  # the server inherits it
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    with harness.LoadSampler() as load, harness.bench_database("connections") as url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            mill_ids = harness.insert_mills(conn, mills, prefix="CN")
            users = harness.insert_users(conn, mill_ids, role="OPERATOR")
        engine.dispose()
        tokens = list(harness.tokens_for(url, list(users.values())).values())
        extra_env = {"BENCH_TRACEMALLOC": str(tracemalloc)} if tracemalloc else None
        with harness.BenchServer(url, max_size=max_size, extra_env=extra_env) as server:
            out = asyncio.run(
                _hold(
                    server.port,
                    tokens,
                    server,
                    connections=connections,
                    hold=hold,
                    concurrency=concurrency,
                    tracemalloc=tracemalloc,
                    settle=settle,
                )
            )
        machine = harness.machine(url)
    before, after, end = out["before"]["rss"], out["after"]["rss"], out["end"]["rss"]
    measured = out["connected"] and before and after and end
    per_conn = (after - before) / out["connected"] if measured else None
    return {
        "benchmark": "connections",
        "size": {"connections": connections, "mills": mills, "hold_seconds": hold, "max_size": max_size},
        "connected": out["connected"],
        "held_to_end": out["held_to_end"],
        "server_eio_sockets": {"after_connect": out["after"]["eio_sockets"], "end": out["end"]["eio_sockets"]},
        "connect_failures": out["failures"],
        "connect_failure_samples": out["failure_samples"],
        "connect_seconds": out["connect_seconds"],
        "server_rss_mb": {
            "before": round(before / 2**20, 1) if before else None,
            "after_connect": round(after / 2**20, 1) if after else None,
            "end": round(end / 2**20, 1) if end else None,
        },
        "server_greenlets": {k: out[k].get("greenlets") for k in ("before", "after", "end")},
        "greenlets_per_connection": round(
            (out["after"]["greenlets"] - out["before"]["greenlets"]) / out["connected"], 2
        )
        if measured and out["after"].get("greenlets") is not None
        else None,
        "server_stats_errors": [out[k].get("error") for k in ("before", "after", "end") if out[k].get("error")],
        "bytes_per_connection": round(per_conn) if per_conn else None,
        "tracemalloc": _per_connection(out["after"].get("tracemalloc"), out["connected"]),
        "kb_per_connection": round(per_conn / 1024, 1) if per_conn else None,
        "kb_per_connection_at_end": round((end - before) / out["connected"] / 1024, 1) if measured else None,
        "target": {"kb_per_connection": 20, "held": connections},
        "fd_limit": resource.getrlimit(resource.RLIMIT_NOFILE),
        "machine": machine,
        "load_average_1m": load.summary(),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--mills", type=int, default=100, help="the clients' mills (one user each)")
    parser.add_argument("--hold", type=float, default=30.0, help="seconds to stay idle once connected")
    parser.add_argument("--concurrency", type=int, default=200, help="handshakes at a time")
    parser.add_argument(
        "--settle",
        type=float,
        default=2.0,
        help="seconds of quiet before the memory is read (a quarter and a half of it before the baseline)",
    )
    parser.add_argument("--max-size", type=int, default=None, help="0: eventlet's default (1024)")
    parser.add_argument(
        "--tracemalloc",
        type=int,
        default=0,
        help="N: trace the server's allocations (N frames) and break the growth down by source line "
        "(tracing costs memory itself: compare RSS only between runs without it)",
    )
    harness.add_common_args(parser)
    args = parser.parse_args(argv)
    max_size = None if args.max_size == 0 else (args.max_size or args.connections + 100)
    result = run(
        connections=args.connections,
        mills=args.mills,
        hold=args.hold,
        concurrency=args.concurrency,
        max_size=max_size,
        tracemalloc=args.tracemalloc,
        settle=args.settle,
    )
    m, rss = result["machine"], result["server_rss_mb"]
    kb = result["kb_per_connection"]
    notes = [
        f"{args.connections:,} idle websocket clients asked for, {result['connected']:,} connected in "
        f"{result['connect_seconds']} s, {result['held_to_end']:,} still held after {args.hold:g} s idle "
        f"(server counts {result['server_eio_sockets']}); failures {result['connect_failures']} "
        f"{result['connect_failure_samples']}.",
        f"Server RSS {rss['before']} MB before, {rss['after_connect']} MB connected, {rss['end']} MB at the end: "
        f"{kb} KB per connection (goal <= 20 KB: {'met' if kb and kb <= 20 else 'MISSED'}); "
        f"{result['kb_per_connection_at_end']} KB at the end.",
        f"Live greenlets in the server: {result['server_greenlets']} "
        f"({result['greenlets_per_connection']} per connection; each keeps its saved stack on the heap).",
        f"eventlet max_size passed to the server: {max_size or 'eventlet default (1024)'}.",
        f"Clients in one asyncio process beside the server on the {m['nproc']} cores ({m['cpu']}), "
        f"{m['memory_total']} RAM; Python {m['python']}, PostgreSQL {m.get('postgresql')}; 1-min load average "
        f"during the run {result['load_average_1m']} (other engineers' tests run on this machine too).",
    ]
    return harness.finish("connections", "Idle connections", result, notes, args)


if __name__ == "__main__":
    main()
