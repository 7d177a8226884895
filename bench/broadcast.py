"""Broadcast capacity: deliveries/s of back-to-back events to 100 clients in one mill room, ours
against a Node.js Socket.IO 4 server doing the same on the same machine (QUALITY.md: at least
the Node rate).

Both servers get the same clients (bench/node/clients.js: socket.io-client v4 over websocket,
`--clients` connections in one Node process, auth {token}), the same job (`POST /bench/emit`:
`--count` events of ~`--padding` bytes to the mill's room, back to back, yielding to the loop
every `--batch`) and the same measure (from that request to the last delivery, all clients).

- ours: bench.server, i.e. the product app on eventlet; the connect handler puts each client in
  its mill room; the events go out through the product's emitter (`to_mill`, which also emits to
  the `/mill` namespace's room, empty here);
- Node: bench/node/server.js (npm `socket.io`, installed into bench/node/ by `npm install`).

The two run in turns, `--rounds` times; the figures are the medians. Each client checks that it got
every event exactly once and in order (`complete_in_order`).

`--processes N` (N > 1) runs N bench servers behind one Redis message queue (SOCKETIO_MESSAGE_QUEUE:
BENCH_REDIS_URL, else TEST_REDIS_URL, else redis://127.0.0.1:6379/0; a channel of the run's own, so
that parallel runs do not mix), as a deployment with one process per core would: the clients are split
between them (client n to server n mod N), the emit loop runs in the first, which delivers to its own
clients and publishes each event once on the queue, and every other process delivers it to its
clients. The figure is the combined rate, against one Node process with all the clients, in the same
run. Recorded under its own label (`N processes` unless `--label` is given).
"""

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

from . import harness

NODE_DIR = Path(__file__).resolve().parent / "node"


def ensure_node_modules() -> None:
    if not (NODE_DIR / "node_modules" / "socket.io").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, capture_output=True)


@contextlib.contextmanager
def node_server():
    port = harness.free_port()
    proc = subprocess.Popen(
        ["node", "server.js", str(port)], cwd=NODE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                # always http://127.0.0.1:<port>
                urllib.request.urlopen(f"http://{harness.HOST}:{port}/bench/stats", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def queue_env() -> dict:
    """The bench servers' message queue: Redis on this machine, a channel of this run's own."""
    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
    if urllib.parse.urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("Benchmarks only use a Redis server on this machine.")
    return {"SOCKETIO_MESSAGE_QUEUE": url, "SOCKETIO_CHANNEL": f"bench-broadcast-{os.getpid()}-{uuid.uuid4().hex[:8]}"}


def run_clients(
    ports: list[int], token: str, mill_id: str, *, clients: int, count: int, batch: int, padding: int
) -> dict:
    job = [str(n) for n in (clients, count, batch, padding)]
    out = subprocess.run(
        ["node", "clients.js", ",".join(map(str, ports)), token, mill_id, *job],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def run(*, clients: int, count: int, batch: int, padding: int, rounds: int, node: bool, processes: int = 1) -> dict:
    if node:
        ensure_node_modules()
    runs: dict[str, list[dict]] = {"ricemill": [], "node": []}
    with harness.LoadSampler() as load, harness.bench_database("broadcast") as url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            mill_id = harness.insert_mills(conn, 1, prefix="BC")[0]
            user = harness.insert_users(conn, [mill_id], role="OPERATOR")[mill_id]
        engine.dispose()
        token = harness.tokens_for(url, [user])[user["id"]]
        job = {"clients": clients, "count": count, "batch": batch, "padding": padding}
        env = queue_env() if processes > 1 else {}
        with contextlib.ExitStack() as stack:
            ours = [stack.enter_context(harness.BenchServer(url, extra_env=env)) for _ in range(processes)]
            node_port = stack.enter_context(node_server()) if node else None
            for _ in range(rounds):
                runs["ricemill"].append(run_clients([server.port for server in ours], token, mill_id, **job))
                if node_port:
                    runs["node"].append(run_clients([node_port], token, mill_id, **job))
            rss = [server.stats()["rss"] for server in ours]
        machine = harness.machine(url)
    machine["node"] = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()

    def med(name):
        rates = [r["deliveries_per_s"] for r in runs[name] if r.get("deliveries_per_s")]
        return round(statistics.median(rates)) if rates else None

    ours_rate, node_rate = med("ricemill"), med("node")
    return {
        "benchmark": "broadcast",
        "size": {**job, "rounds": rounds, "processes": processes},
        "message_queue": "redis" if processes > 1 else None,
        "median_deliveries_per_s": {"ricemill": ours_rate, "node": node_rate},
        "ratio_ricemill_over_node": round(ours_rate / node_rate, 3) if ours_rate and node_rate else None,
        "target": "ricemill >= node",
        "rounds": runs,
        "ricemill_server_rss_mb": [round(r / 2**20, 1) for r in rss] if processes > 1 else round(rss[0] / 2**20, 1),
        "machine": machine,
        "load_average_1m": load.summary(),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--count", type=int, default=1000, help="events per round")
    parser.add_argument("--batch", type=int, default=100, help="events between yields to the loop")
    parser.add_argument("--padding", type=int, default=400, help="bytes of filler per event")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-node", action="store_true", help="skip the Node.js reference server")
    parser.add_argument(
        "--processes", type=int, default=1, help="bench servers behind one Redis message queue (the clients split)"
    )
    harness.add_common_args(parser)
    args = parser.parse_args(argv)
    if args.processes > 1 and not args.label:
        args.label = f"{args.processes} processes"
    if not args.no_node and not shutil.which("node"):
        raise SystemExit("node is needed (or pass --no-node)")
    result = run(
        clients=args.clients,
        count=args.count,
        batch=args.batch,
        padding=args.padding,
        rounds=args.rounds,
        node=not args.no_node,
        processes=args.processes,
    )
    med, m = result["median_deliveries_per_s"], result["machine"]
    complete = {name: [f"{r['received']}/{r['expected']}" for r in rs] for name, rs in result["rounds"].items() if rs}
    in_order = {name: [r.get("complete_in_order") for r in rs] for name, rs in result["rounds"].items() if rs}
    ratio = result["ratio_ricemill_over_node"]
    ours = "ricemill (Flask-SocketIO on eventlet)"
    if args.processes > 1:
        ours = (
            f"ricemill, {args.processes} processes behind one Redis message queue (clients split between them; "
            "combined rate)"
        )
    notes = [
        f"{args.clients} clients in one mill room, {args.count} events of ~{args.padding} B back to back, "
        f"{args.rounds} rounds each: {ours} median {med['ricemill']} deliveries/s, "
        f"Node.js socket.io 4 median {med['node']} deliveries/s; ratio {ratio} "
        f"(goal >= 1: {'met' if ratio and ratio >= 1 else 'not met'}).",
        f"Deliveries received per round: {complete}; clients with every event exactly once, in order: {in_order}.",
        f"Same client process for both (Node, socket.io-client 4); clients and server share the {m['nproc']} cores "
        f"({m['cpu']}), {m['memory_total']} RAM; Python {m['python']}, node {m.get('node')}; 1-min load average "
        f"during the run {result['load_average_1m']} (other engineers' tests run on this machine too).",
    ]
    return harness.finish("broadcast", "Broadcast capacity", result, notes, args)


if __name__ == "__main__":
    main()
