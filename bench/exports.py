"""List export in bounded memory: `?format=csv` and `?format=xlsx` of the purchase list with
`--rows` purchases (issue 12: 100,000 rows), against the same export at `--small` rows.

Rows are made in bulk by SQL. Each export is requested through the app's test client and its
streamed body is read chunk by chunk, as a browser downloads it; tracemalloc records the peak of
Python memory allocated during the request. Bounded means the peak at `--rows` is about the peak at
`--small`, not ten times it (the CSV is streamed from a server-side cursor; the XLSX is written
row by row to temporary files by XlsxWriter's constant_memory mode).
"""

import argparse
import time
import tracemalloc

import sqlalchemy as sa

from . import harness


def _insert_purchases(conn, mill_id: str, count: int) -> None:
    conn.execute(
        sa.text(
            """
            INSERT INTO paddy_purchases (id, mill_id, farmer_name, farmer_phone, village, variety, bags,
                gross_weight_kg, tare_weight_kg, moisture_percent, standard_moisture_percent,
                moisture_deduction_kg, net_weight_kg, rate_per_quintal, amount, purchase_date,
                paid_amount, payment_status)
            SELECT gen_random_uuid(), :mill, 'Farmer ' || (g % 500), '98450 ' || lpad((g % 99999)::text, 5, '0'),
                   'Village ' || (g % 40), 'Sona', 20, 1000 + g % 900, 50, 17, 17, 0, 950 + g % 900, 2200,
                   round((950 + g % 900) * 22, 2), DATE '2026-04-01' + (g % 200), 0, 'PENDING'
            FROM generate_series(1, :n) AS g
            """
        ),
        {"mill": mill_id, "n": count},
    )


def _measure(client, url: str, token: str) -> dict:
    tracemalloc.start()
    tracemalloc.reset_peak()
    start = time.perf_counter()
    response = client.get(url, headers={"Authorization": f"Bearer {token}"}, buffered=False)
    size = 0
    for chunk in response.response:
        size += len(chunk)
    response.close()
    elapsed = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 200, response.status_code
    return {"seconds": round(elapsed, 2), "bytes": size, "peak_python_mib": round(peak / 2**20, 2)}


def run(*, rows: int, small: int) -> dict:
    out = {}
    with harness.LoadSampler() as load, harness.bench_database("exports") as url:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            (mill_id,) = harness.insert_mills(conn, 1, prefix="EX")
            user = harness.insert_users(conn, [mill_id])[mill_id]
            _insert_purchases(conn, mill_id, small)
        token = harness.tokens_for(url, [user])[user["id"]]
        app = harness.make_app(url)
        client = app.test_client()
        base = f"/api/v1/mills/{mill_id}/paddy-purchases?format="
        for fmt in ("csv", "xlsx"):
            _measure(client, base + fmt, token)  # warm-up
            out[f"{fmt}_at_{small}"] = _measure(client, base + fmt, token)
        with engine.begin() as conn:
            _insert_purchases(conn, mill_id, rows - small)
        for fmt in ("csv", "xlsx"):
            out[f"{fmt}_at_{rows}"] = _measure(client, base + fmt, token)
        with app.app_context():
            from ricemill.extensions import db

            db.engine.dispose()
        engine.dispose()
        out["machine"] = harness.machine(url)
    return {"benchmark": "exports", "size": {"rows": rows, "small": small}, **out, "load_average_1m": load.summary()}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    harness.add_common_args(parser)
    args = parser.parse_args(argv)
    result = run(rows=args.rows, small=args.small)
    notes = []
    for fmt in ("csv", "xlsx"):
        s, b = result[f"{fmt}_at_{args.small}"], result[f"{fmt}_at_{args.rows}"]
        notes.append(
            f"{fmt.upper()}: {args.small:,} rows peak {s['peak_python_mib']} MiB, {s['bytes']:,} bytes "
            f"in {s['seconds']} s; {args.rows:,} rows peak {b['peak_python_mib']} MiB, {b['bytes']:,} bytes "
            f"in {b['seconds']} s."
        )
    notes.append(f"1-min load average during the run {result['load_average_1m']} (shared machine).")
    return harness.finish("exports", "List export (CSV, XLSX) memory", result, notes, args)


if __name__ == "__main__":
    main()
