"""The tests hash at the cheapest Argon2id cost (TestingConfig); production must not."""

import argon2
import pytest

from config import ProductionConfig
from ricemill.auth.passwords import hash_password, verify_password

COST_SETTINGS = ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST_KIB", "ARGON2_PARALLELISM")


@pytest.fixture
def production_cost(app, monkeypatch):
    for name in COST_SETTINGS:
        monkeypatch.setitem(app.config, name, getattr(ProductionConfig, name))


def test_production_hashes_at_the_configured_cost_at_least_the_owasp_minimum(app, production_cost):
    stored = hash_password("correct horse battery")

    params = argon2.extract_parameters(stored)
    assert params.type is argon2.Type.ID
    assert params.time_cost == ProductionConfig.ARGON2_TIME_COST
    assert params.memory_cost == ProductionConfig.ARGON2_MEMORY_COST_KIB
    assert params.parallelism == ProductionConfig.ARGON2_PARALLELISM
    # OWASP's minimum for Argon2id: 19 MiB of memory and two passes
    assert params.time_cost >= 2 and params.memory_cost >= 19 * 1024
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse staple")
