"""Low-stock job: every mill's stocks scanned in one query (QUALITY.md: 10,000 mills x 5 stock types,
<= 200 ms, one query, cost flat in the number of mills that are not low).

The database first gets `--small` mills, of which `--low` have a low PADDY stock; the scan is timed
there; then mills that are not low are added up to `--mills` and the same scan is timed again. The
low mills are the same in both, so a flat cost means the two medians agree. Every stock has a
minimum (most far above it; a few mills have minimum 0, "no alert"), so nothing is trivially skipped.

Timed: `check_low_stock()` (query + building the alerts), then a rollback so every run sees the
same data; statements counted on the engine. Also timed a few times: the whole job as the
scheduler runs it, commit included (events stored, notifications made). EXPLAIN ANALYZE of the
scan's own SQL (captured from the engine) goes into the result.
"""

import argparse
import time

import sqlalchemy as sa

from . import harness


def _make_stocks_for(conn, prefix: str, *, low: int) -> None:
    """Minimum 1,000 kg everywhere (0 for every 50th mill), quantity well above; `low` mills short of PADDY."""
    conn.execute(
        sa.text(
            """
            UPDATE stocks s SET min_stock_level = CASE WHEN right(m.code, 2) = '50' THEN 0 ELSE 1000 END,
                                quantity = 5000 + (abs(hashtext(s.id::text)) % 100000)
            FROM mills m WHERE m.id = s.mill_id AND m.code LIKE :prefix || '%'
            """
        ),
        {"prefix": prefix},
    )
    if low:
        conn.execute(
            sa.text(
                """
                UPDATE stocks s SET quantity = CASE WHEN m.rn % 3 = 0 THEN 0 WHEN m.rn % 3 = 1 THEN 400 ELSE 900 END
                FROM (SELECT id, row_number() OVER (ORDER BY code) AS rn FROM mills
                      WHERE code LIKE :prefix || '%' AND right(code, 2) <> '50' ORDER BY code LIMIT :low) m
                WHERE s.mill_id = m.id AND s.stock_type = 'PADDY'
                """
            ),
            {"prefix": prefix, "low": low},
        )


def _time_scan(app, runs: int) -> dict:
    from ricemill.extensions import db
    from ricemill.inventory.low_stock import check_low_stock

    samples, counts, found = [], [], 0
    captured: list[tuple[str, object]] = []
    with app.app_context():
        engine = db.engine

        def keep(conn, cursor, statement, parameters, context, executemany):
            captured.append((statement, parameters))

        check_low_stock()  # warm-up: connection, compiled-statement cache
        db.session.rollback()
        for _ in range(runs):
            captured.clear()
            sa.event.listen(engine, "before_cursor_execute", keep)
            start = time.perf_counter()
            result = check_low_stock()
            elapsed = time.perf_counter() - start
            sa.event.remove(engine, "before_cursor_execute", keep)
            db.session.rollback()
            samples.append(elapsed)
            counts.append(len(captured))
            found = len(result)
        scan_sql, scan_params = captured[0] if captured else ("", None)
        plan = []
        if scan_sql:
            with engine.connect() as conn:
                plan = [r[0] for r in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + scan_sql, scan_params or {})]
    return {
        **harness.summarize_ms(samples),
        "statements_per_scan": sorted(set(counts)),
        "low_stocks_found": found,
        "scan_sql": scan_sql,
        "explain_analyze": plan,
    }


def _time_job(app, runs: int) -> dict:
    """The scheduler's job: scan, publish, commit (events stored, notifications made)."""
    from ricemill.extensions import db
    from ricemill.inventory.low_stock import check_low_stock

    samples, statements = [], []
    with app.app_context():
        for _ in range(runs):
            with harness.StatementCounter(db.engine) as counter:
                start = time.perf_counter()
                check_low_stock()
                db.session.commit()
                samples.append(time.perf_counter() - start)
            statements.append(len(counter.statements))
        db.session.remove()
    return {**harness.summarize_ms(samples), "statements_per_job": sorted(set(statements))}


def run(*, mills: int, small: int, low: int, runs: int, job_runs: int) -> dict:
    small = min(small, mills)
    with harness.LoadSampler() as load, harness.bench_database("lowstock") as url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            harness.insert_mills(conn, small, prefix="LA")
            _make_stocks_for(conn, "LA", low=low)
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE stocks, mills")
        app = harness.make_app(url)
        at_small = _time_scan(app, runs)
        started = time.perf_counter()
        if mills > small:
            with engine.begin() as conn:
                harness.insert_mills(conn, mills - small, prefix="LB")
                _make_stocks_for(conn, "LB", low=0)
            with engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE stocks, mills")
        load_seconds = time.perf_counter() - started
        at_full = _time_scan(app, runs)
        job = _time_job(app, job_runs)
        with engine.connect() as conn:
            stock_rows = conn.scalar(sa.text("SELECT count(*) FROM stocks"))
        machine = harness.machine(url)
        engine.dispose()
        with app.app_context():
            from ricemill.extensions import db

            db.engine.dispose()
    return {
        "benchmark": "low_stock",
        "size": {"mills": mills, "small_mills": small, "low_mills": low, "stock_rows": stock_rows, "runs": runs},
        "scan_at_small": at_small,
        "scan_at_full": at_full,
        "job_with_commit_at_full": job,
        "flatness_ratio_full_over_small": round(at_full["median_ms"] / at_small["median_ms"], 2)
        if at_small["median_ms"]
        else None,
        "load_extra_mills_seconds": round(load_seconds, 1),
        "target": {"p99_ms": 200, "statements": 1},
        "machine": machine,
        "load_average_1m": load.summary(),
    }


def _plan_nodes(plan: list[str]) -> str:
    nodes = [ln.strip().lstrip("-> ").split("  (")[0] for ln in plan if "(cost=" in ln or "actual time" in ln]
    return "; ".join(nodes[:4])


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mills", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="mills at the first measurement")
    parser.add_argument("--low", type=int, default=10, help="mills with a low stock")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--job-runs", type=int, default=5)
    harness.add_common_args(parser)
    args = parser.parse_args(argv)
    result = run(mills=args.mills, small=args.small, low=args.low, runs=args.runs, job_runs=args.job_runs)
    s, f, j = result["scan_at_small"], result["scan_at_full"], result["job_with_commit_at_full"]
    m = result["machine"]
    notes = [
        f"Scan at {args.small:,} mills: median {s['median_ms']} ms, p99 {s['p99_ms']} ms; "
        f"at {args.mills:,} mills: median {f['median_ms']} ms, p99 {f['p99_ms']} ms "
        f"({args.runs} runs each; target <= 200 ms).",
        f"Statements per scan: {f['statements_per_scan']} (target 1); low stocks found: {f['low_stocks_found']}.",
        f"Flatness: median at {args.mills:,} / median at {args.small:,} = {result['flatness_ratio_full_over_small']}.",
        f"Whole job with commit (events + notifications for {args.low} mills): median {j['median_ms']} ms, "
        f"p99 {j['p99_ms']} ms, statements {j['statements_per_job']}.",
        f"Plan at {args.mills:,} mills: {_plan_nodes(f['explain_analyze'])}.",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_total']} RAM, "
        f"Python {m['python']}, PostgreSQL {m.get('postgresql')}; "
        f"1-min load average during the run {result['load_average_1m']} (shared machine).",
    ]
    return harness.finish("low_stock", "Low-stock job", result, notes, args)


if __name__ == "__main__":
    main()
