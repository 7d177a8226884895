"""The official JS socket.io-client (npm, run by Node) replays the seed's SocketService flow."""

import json
import os
import shutil
import subprocess

import pytest

from ricemill.auth.roles import Role
from ricemill.extensions import db
from tests.factories import PASSWORD, make_mill, make_user

from .conftest import ROOT

pytestmark = [pytest.mark.committed, pytest.mark.live, pytest.mark.filterwarnings("ignore::ResourceWarning")]


def test_seed_socket_service_flow_with_the_js_client(servers, live_app):
    node = shutil.which("node")
    client_package = os.path.join(ROOT, "node_modules", "socket.io-client")
    if node is None or not os.path.isdir(client_package):
        if os.environ.get("CI") == "true":
            pytest.fail("node and node_modules/socket.io-client are required (npm ci)")
        pytest.skip("node or socket.io-client not installed")
    with live_app.app_context():
        a, b = make_mill("JS A"), make_mill("JS B")
        a1, a2, b1 = make_user(Role.OPERATOR, a), make_user(Role.MANAGER, a), make_user(Role.OPERATOR, b)
        env = dict(
            os.environ,
            PASSWORD=PASSWORD,
            EMAIL_A1=a1.email,
            EMAIL_A2=a2.email,
            EMAIL_B=b1.email,
            MILL_A=str(a.id),
        )
        a1_id = str(a1.id)
        db.session.remove()
    server = servers()
    env["BASE_URL"] = server.url
    run = subprocess.run(
        [node, "tests/js/seed_flow.mjs"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, f"{run.stderr}\n--- server ---\n{server.output()}"
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["ok"] is True
    assert result["refusals"] == ["Authentication token required", "Invalid token"]
    assert result["purchaseCreated"]["createdBy"]["id"] == a1_id
    assert result["notification"]["type"] == "success"
    assert result["notification"]["title"] == "New purchase"
    assert result["typing"] == {
        "user": {"id": a1_id, "name": result["typing"]["user"]["name"]},
        "entity": "purchase",
        "action": "creating",
    }
    assert "purchase:created" in result["received"]["a2"]
    assert "purchase:created" not in result["received"]["b"]
