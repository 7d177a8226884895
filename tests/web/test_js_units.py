"""The pages' pure JavaScript (ricemill/web/static/seq.js, ...) under Node's built-in test runner.

`node --test tests/js/*.test.mjs` runs on its own too; this runs it in the pytest suite, so CI does.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT_FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "js").glob("*.test.mjs"))


def test_the_js_unit_tests_pass():
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is required (README: Node 18+)")
        pytest.skip("node is not installed")
    assert UNIT_FILES, "no tests/js/*.test.mjs found"
    result = subprocess.run(
        [node, "--test", *UNIT_FILES], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
