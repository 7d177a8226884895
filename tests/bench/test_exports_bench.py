"""bench/exports.py end to end at a tiny size (no timing asserted, as for every benchmark)."""

import pytest

from .test_bench_smoke import run_bench

pytestmark = pytest.mark.live


def test_exports(tmp_path):
    result = run_bench("exports", ["--rows", "120", "--small", "40"], tmp_path)
    for key in ("csv_at_40", "csv_at_120", "xlsx_at_40", "xlsx_at_120"):
        assert {"seconds", "bytes", "peak_python_mib"} <= result[key].keys()
    assert result["csv_at_120"]["bytes"] > result["csv_at_40"]["bytes"]
