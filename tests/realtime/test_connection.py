"""The handshake: the seed's refusal messages, rooms, `connected`, namespaces."""

from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token, create_refresh_token

from ricemill.auth.roles import Role
from ricemill.extensions import db, socketio
from ricemill.realtime.sockets import registry
from tests.factories import make_user, token_for


def refusal(client, namespace="/"):
    """The connect_error message the test client got (Flask-SocketIO keeps it on the client)."""
    assert not client.is_connected(namespace)
    return client.connect_error


def rooms_of(client, namespace="/"):
    sid = socketio.server.manager.sid_from_eio_sid(client.eio_sid, namespace)
    return set(socketio.server.rooms(sid, namespace=namespace))


def test_connected_payload_and_rooms(connect, users, mill):
    operator = users[Role.OPERATOR]
    client = connect(operator)
    assert client.is_connected()
    packets = client.get_received()
    assert packets[0]["name"] == "connected"
    assert packets[0]["args"][0] == {"userId": str(operator.id), "message": "Connected successfully"}
    assert {f"user:{operator.id}", f"mill:{mill.id}"} <= rooms_of(client)
    assert "admin" not in rooms_of(client)


def test_super_admin_joins_admin_room_and_no_mill(connect, users):
    admin = users[Role.SUPER_ADMIN]
    client = connect(admin)
    rooms = rooms_of(client)
    assert {f"user:{admin.id}", "admin"} <= rooms
    assert not any(room.startswith("mill:") for room in rooms)


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        ({}, "Authentication token required"),
        ({"token": ""}, "Authentication token required"),
        ({"token": "not-a-jwt"}, "Invalid token"),
        ({"token": 12345}, "Invalid token"),
        ({"token": "x" * 5000}, "Invalid token"),
    ],
)
def test_refusals_without_a_good_token(connect, auth, message):
    client = connect(auth=auth)
    assert refusal(client) == {"message": message}


def test_no_auth_at_all_is_refused(connect):
    client = connect()
    assert refusal(client) == {"message": "Authentication token required"}


def test_refresh_expired_and_revoked_tokens_are_refused(connect, users, client):
    operator = users[Role.OPERATOR]
    refresh = create_refresh_token(identity=str(operator.id))
    assert refusal(connect(token=refresh)) == {"message": "Invalid token"}
    expired = create_access_token(identity=str(operator.id), expires_delta=timedelta(seconds=-5))
    assert refusal(connect(token=expired)) == {"message": "Invalid token"}
    token = token_for(operator)
    response = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert refusal(connect(token=token)) == {"message": "Invalid token"}


def test_token_signed_with_another_key_is_refused(connect, users):
    import jwt

    forged = jwt.encode(
        {"sub": str(users[Role.OPERATOR].id), "type": "access", "jti": "x"}, "another-key-0123456789abcdef0123456789"
    )
    assert refusal(connect(token=forged)) == {"message": "Invalid token"}


def test_inactive_or_unknown_user_is_refused(connect, mill):
    user = make_user(Role.OPERATOR, mill)
    token = token_for(user)
    user.is_active = False
    db.session.commit()
    assert refusal(connect(token=token)) == {"message": "User not found or inactive"}
    ghost = create_access_token(identity="00000000-0000-0000-0000-000000000001")
    assert refusal(connect(token=ghost)) == {"message": "User not found or inactive"}


def test_inactive_mill_refuses_its_users(connect, mill, users):
    mill.is_active = False
    db.session.commit()
    assert refusal(connect(users[Role.OPERATOR])) == {"message": "User not found or inactive"}


def test_token_in_query_string_is_refused(connect, users):
    token = token_for(users[Role.OPERATOR])
    client = connect(auth={}, query_string=f"token={token}")
    assert refusal(client) == {"message": "Authentication token required"}
    # even alongside a good handshake token: the query string must never carry it
    client = connect(users[Role.OPERATOR], query_string=f"token={token}")
    assert refusal(client) == {"message": "Authentication token required"}


def test_unexpected_error_is_authentication_failed_and_logged(connect, users, monkeypatch, caplog):
    from ricemill.realtime.sockets import connection

    def boom(_auth):
        raise RuntimeError("database exploded: secret detail")

    monkeypatch.setattr(connection, "authenticate", boom)
    client = connect(users[Role.OPERATOR])
    assert refusal(client) == {"message": "Authentication failed"}
    assert "database exploded" in caplog.text  # logged with its trace server-side, never sent


def test_failure_after_registering_leaves_no_socket_behind(connect, users, monkeypatch):
    from ricemill.realtime.sockets import connection

    def broken(*_args, **_kwargs):
        raise RuntimeError("emit failed")

    before = registry.count()
    monkeypatch.setattr(connection, "ensure_expiry_watch", broken)  # inside the handler, after registering
    client = connect(users[Role.OPERATOR])
    assert refusal(client) == {"message": "Authentication failed"}
    assert registry.count() == before


def test_failure_after_the_connect_packet_disconnects_the_socket(connect, users, monkeypatch, caplog):
    """A socket that could not enter its rooms would silently miss everything: it is dropped instead."""
    from ricemill.realtime.sockets import connection

    def broken(*_args, **_kwargs):
        raise RuntimeError("emit failed")

    before = registry.count()
    monkeypatch.setattr(connection.emitter, "to_sid", broken)
    client = connect(users[Role.OPERATOR])
    assert not client.is_connected()
    assert registry.count() == before
    assert "Welcoming socket" in caplog.text


def test_same_origin_cookie_is_accepted_and_cross_origin_cookie_ignored(app, connect, users):
    token = token_for(users[Role.OPERATOR])
    flask_client = app.test_client()
    flask_client.set_cookie("access_token_cookie", token)
    same = connect(auth={}, flask_test_client=flask_client)
    assert same.is_connected()
    same_origin = connect(auth={}, flask_test_client=flask_client, headers={"Origin": "http://localhost"})
    assert same_origin.is_connected()
    cross = connect(auth={}, flask_test_client=flask_client, headers={"Origin": "http://evil.example"})
    assert refusal(cross) == {"message": "Authentication token required"}


def test_connect_and_disconnect_are_logged_without_the_token(connect, users, caplog):
    operator = users[Role.OPERATOR]
    token = token_for(operator)
    caplog.set_level("INFO", logger="ricemill.realtime")
    client = connect(token=token)
    client.disconnect()
    assert f"Socket connected: {operator.id} ({operator.name})" in caplog.text
    assert f"Socket disconnected: {operator.id} ({operator.name})" in caplog.text
    assert "reason" in caplog.text
    assert token not in caplog.text


def test_mill_namespace_scopes_to_one_mill(connect, users, mill, other_mill):
    operator, admin = users[Role.OPERATOR], users[Role.SUPER_ADMIN]
    own = connect(auth={"token": token_for(operator), "millId": str(mill.id)}, namespace="/mill")
    assert own.is_connected("/mill")
    assert rooms_of(own, "/mill") == {own.sid, f"mill:{mill.id}"}
    other = connect(auth={"token": token_for(operator), "millId": str(other_mill.id)}, namespace="/mill")
    assert refusal(other, "/mill") == {"message": "Access denied to this mill"}
    missing = connect(auth={"token": token_for(operator)}, namespace="/mill")
    assert refusal(missing, "/mill") == {"message": "Access denied to this mill"}
    bad_token = connect(auth={"millId": str(mill.id)}, namespace="/mill")
    assert refusal(bad_token, "/mill") == {"message": "Authentication token required"}
    any_mill = connect(auth={"token": token_for(admin), "millId": str(other_mill.id)}, namespace="/mill")
    assert any_mill.is_connected("/mill")
    nowhere = connect(
        auth={"token": token_for(admin), "millId": "00000000-0000-0000-0000-000000000009"}, namespace="/mill"
    )
    assert refusal(nowhere, "/mill") == {"message": "Access denied to this mill"}


@pytest.mark.parametrize("role", [Role.MILL_ADMIN, Role.MANAGER, Role.OPERATOR])
def test_admin_namespace_is_super_admin_only(connect, users, role):
    assert refusal(connect(users[role], namespace="/admin"), "/admin") == {"message": "Access denied"}


def test_admin_namespace_accepts_super_admin(connect, users):
    client = connect(users[Role.SUPER_ADMIN], namespace="/admin")
    assert client.is_connected("/admin")
    assert client.get_received("/admin")[0]["name"] == "connected"


def test_server_options(app):
    eio = socketio.server.eio
    assert eio.max_http_buffer_size == 64 * 1024
    assert eio.ping_interval == 25
    assert eio.ping_timeout == 60
    assert sorted(eio.transports) == ["polling", "websocket"]


def test_registry_forgets_disconnected_sockets(connect, users):
    client = connect(users[Role.OPERATOR])
    sid = client.sid
    assert registry.get("/", sid) is not None
    client.disconnect()
    assert registry.get("/", sid) is None
