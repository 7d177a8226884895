"""Issue 9 on a live server: malformed frames, the per-user socket cap, and sockets ending with
their session (logout, refresh-token reuse)."""

import json

import pytest
import requests
import websocket

from ricemill.auth.roles import Role
from ricemill.extensions import db
from tests.factories import PASSWORD, make_mill, make_user

from .conftest import refused, token, wait_for

pytestmark = [
    pytest.mark.committed,
    pytest.mark.live,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

MALFORMED = [
    '42["join:mill"',  # JSON cut short
    "42{not json}",
    "4x",  # no such Socket.IO packet type
    "44",  # CONNECT_ERROR from a client
    '42["a",' + "1" * 5000 + "]",  # past Python's 4,300-digit limit
    "42" + "[" * 5000 + "]" * 5000,  # nested past the recursion limit
    "",
]


@pytest.fixture
def person(live_app):
    with live_app.app_context():
        mill = make_mill("Hostile Live")
        user = make_user(Role.OPERATOR, mill)
        found = {"email": user.email, "id": str(user.id), "token": token(live_app, user)}
        db.session.remove()
    return found


def _raw_socket(server, access_token):
    ws = websocket.create_connection(f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket", timeout=5)
    assert ws.recv().startswith("0")  # engine.io open
    ws.send("40" + json.dumps({"token": access_token}))
    frames = [ws.recv(), ws.recv()]  # the CONNECT answer and our `connected` event, in either order
    assert any(f.startswith("40") for f in frames), frames
    return ws


def _closed(ws) -> bool:
    try:
        while True:
            frame = ws.recv()
            if frame == "":
                return True
            if frame == "2":
                ws.send("3")  # answer a ping; keep reading
    except (websocket.WebSocketConnectionClosedException, websocket.WebSocketProtocolException, OSError):
        return True
    except websocket.WebSocketTimeoutException:
        return False


def test_a_malformed_frame_logs_one_line_and_closes_the_connection(servers, person):
    server = servers()
    for frame in MALFORMED:
        ws = _raw_socket(server, person["token"])
        ws.send(frame)
        assert _closed(ws), frame[:40]
        ws.close()
    wait_for(
        lambda: server.output().count("Malformed socket frame") >= len(MALFORMED) - 1,
        message="a warning per malformed frame",
    )
    assert "Traceback" not in server.output()


def test_the_socket_cap_refuses_the_next_socket_of_that_user(servers, person, clients):
    server = servers(SOCKET_MAX_PER_USER="2")
    first, second = clients(server.url, person["token"]), clients(server.url, person["token"])
    first.wait_event("connected")
    second.wait_event("connected")
    assert refused(server.url, token=person["token"]) == {"message": "Too many connections for this user"}
    assert first.sio.connected and second.sio.connected
    second.close()
    wait_for(lambda: clients(server.url, person["token"]).sio.connected, message="a slot freed")


def _login(server, email):
    response = requests.post(f"{server.url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _refresh(server, refresh_token):
    return requests.post(
        f"{server.url}/api/v1/auth/refresh", headers={"Authorization": f"Bearer {refresh_token}"}, timeout=10
    )


def test_refresh_token_reuse_disconnects_the_familys_sockets(servers, person, clients):
    server = servers()
    stolen = _login(server, person["email"])
    other_session = _login(server, person["email"])
    family_socket = clients(server.url, stolen["accessToken"])
    other_socket = clients(server.url, other_session["accessToken"])
    family_socket.wait_event("connected")
    other_socket.wait_event("connected")
    assert _refresh(server, stolen["refreshToken"]).status_code == 200
    assert _refresh(server, stolen["refreshToken"]).status_code == 401  # reuse: the family is revoked
    assert family_socket.disconnected.wait(5)
    assert other_socket.sio.connected


def test_logout_disconnects_sockets_of_the_sessions_earlier_access_tokens(servers, person, clients):
    server = servers()
    first = _login(server, person["email"])
    socket_of_first = clients(server.url, first["accessToken"])
    socket_of_first.wait_event("connected")
    second = _refresh(server, first["refreshToken"]).json()["data"]
    out = requests.post(
        f"{server.url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {second['accessToken']}"}, timeout=10
    )
    assert out.status_code == 200
    assert socket_of_first.disconnected.wait(5)
