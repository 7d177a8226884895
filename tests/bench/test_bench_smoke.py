"""Each benchmark of bench/ run end to end at a tiny size, so CI proves the scripts still work.

No timing is asserted (speed is shown by bench/RESULTS.md, on purpose never by a test): only that
each run completes, measures what it says and returns its result's keys. Every benchmark runs in
its own process (it makes its own apps, database and servers), with results going to a temporary
file instead of bench/RESULTS.md.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import dbserver

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.live


def run_bench(name: str, args: list[str], tmp_path, section: str | None = None) -> dict:
    """Run `bench.<name>`; its result is recorded in the section `section` (default: `name`)."""
    results = tmp_path / "RESULTS.md"
    try:
        server = dbserver.server_url()
    except Exception as error:  # with CI=true a missing database fails the run, never skips it
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no PostgreSQL: {error}")
    env = dict(os.environ, BENCH_DATABASE_URL=server)
    proc = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *args, "--results", str(results)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(proc.stdout)
    assert result["benchmark"] == name
    assert {"machine", "load_average_1m", "size"} <= result.keys()
    section = section or name
    text = results.read_text()
    assert f"<!-- bench:{section} -->" in text and f"<!-- /bench:{section} -->" in text
    return result


def test_low_stock(tmp_path):
    result = run_bench("low_stock", ["--mills", "30", "--small", "10", "--low", "3", "--runs", "3"], tmp_path)
    for key in ("scan_at_small", "scan_at_full"):
        scan = result[key]
        assert {"median_ms", "p99_ms", "statements_per_scan", "explain_analyze"} <= scan.keys()
        assert scan["low_stocks_found"] == 3
        assert scan["explain_analyze"]
    assert result["size"]["stock_rows"] == 30 * 5
    assert "statements_per_job" in result["job_with_commit_at_full"]


def test_dashboard(tmp_path):
    result = run_bench("dashboard", ["--ledger", "500", "--documents", "400", "--calls", "3", "--days", "30"], tmp_path)
    assert result["get_dashboard"]["n"] == 3
    assert {"median_ms", "p99_ms"} <= result["get_dashboard"].keys()
    assert result["size"]["ledger"] == 500
    assert result["slowest_sql"] in result["statements"]
    assert result["slowest_explain_analyze"]


@pytest.mark.parametrize(
    "tool", ["python", pytest.param("wrk", marks=pytest.mark.skipif(not shutil.which("wrk"), reason="no wrk"))]
)
def test_rest_writes(tmp_path, tool):
    args = ["--mills", "2", "--connections", "2", "--seconds", "0.3", "--rounds", "1", "--tool", tool]
    # the database-work figures are not checked here
    args += ["--warmup", "0.2", "--stats-wait", "0", "--counter-seconds", "0.3"]
    result = run_bench("rest_writes", args, tmp_path)
    assert set(result["median_requests_per_s"]) == {"purchase", "bare", "bare_auth"}
    assert all(r["non_2xx"] == 0 for rs in result["rounds"].values() for r in rs)
    # Every purchase request really wrote its ledger row and events.
    assert result["rows_written"]["ledger"] > 0 and result["rows_written"]["events"] > 0
    assert "ratio_purchase_over_bare" in result


def test_fanout(tmp_path):
    result = run_bench(
        "fanout", ["--mills", "3", "--clients", "2", "--rate", "20", "--seconds", "0.5", "--settle", "0.2"], tmp_path
    )
    assert result["clients"]["connect_failures"] == 0
    assert result["writes"]["ok"] == 10
    # Every write reached both clients of its mill, and its commit time was known.
    assert result["writes"]["delivered_to_every_client"] == 10
    assert result["commit_to_last_delivery"]["n"] == 10
    assert {"median_ms", "p99_ms"} <= result["commit_to_last_delivery"].keys()
    # The REST bar of issue 13 is reported too: every write's send -> answer.
    assert result["rest_request"]["n"] == 10 and result["target"]["rest_p99_ms"] == 50


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_broadcast(tmp_path):
    result = run_bench("broadcast", ["--clients", "3", "--count", "20", "--rounds", "1"], tmp_path)
    for name in ("ricemill", "node"):
        (only,) = result["rounds"][name]
        assert only["received"] == only["expected"] == 60
        assert only["complete_in_order"] == 3 and only["duplicates"] == only["out_of_order"] == 0
    assert set(result["median_deliveries_per_s"]) == {"ricemill", "node"}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_broadcast_two_processes(tmp_path):
    """Two bench servers behind the Redis queue: the emit loop runs in the first, and the second
    delivers to its own clients what came through the queue; every client gets every event once,
    in order. Node's single process gets the same clients and events in the same run."""
    args = ["--clients", "4", "--count", "20", "--rounds", "1", "--processes", "2"]
    result = run_bench("broadcast", args, tmp_path, section="broadcast:2 processes")
    assert result["size"]["processes"] == 2 and result["message_queue"] == "redis"
    (ours,) = result["rounds"]["ricemill"]
    assert ours["received"] == ours["expected"] == 80
    assert ours["received_per_server"] == [40, 40]  # the second server's 40 came through the queue
    assert ours["complete_in_order"] == 4 and ours["duplicates"] == ours["out_of_order"] == 0
    (node,) = result["rounds"]["node"]
    assert node["received"] == node["expected"] == 80 and node["complete_in_order"] == 4


def test_connections(tmp_path):
    result = run_bench(
        "connections", ["--connections", "20", "--mills", "2", "--hold", "0.3", "--settle", "0.2"], tmp_path
    )
    assert result["connected"] == result["held_to_end"] == 20
    assert result["server_eio_sockets"]["end"] >= 20
    assert "kb_per_connection" in result


def test_hostile_body(tmp_path):
    result = run_bench("hostile_body", ["--seconds", "0.5", "--senders", "1", "--interval", "0.05"], tmp_path)
    assert result["healthz_under_hostile_bodies"]["n"] > 0
    statuses = {name: set(r["statuses"]) for name, r in result["hostile_requests"].items()}
    assert statuses.get("deep_nesting", {"400"}) == {"400"}
    assert statuses.get("over_limit", {"413"}) == {"413"}
