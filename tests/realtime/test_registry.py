"""The socket registry's index by user: the per-user cap and live authorisation read it on every
connect and every access change, so it must follow each socket in and out, on every namespace."""

from ricemill.auth.roles import Role
from ricemill.realtime.sockets import live_auth, registry
from tests.factories import make_user, token_for


def sids_of(user):
    return sorted((session.namespace, session.sid) for session in registry.for_user(str(user.id)))


def test_the_user_index_follows_each_socket_in_and_out(connect, users, mill):
    operator, manager = users[Role.OPERATOR], users[Role.MANAGER]
    assert registry.count_for_user(str(operator.id)) == 0
    first = connect(operator)
    on_mill = connect(operator, namespace="/mill", auth={"token": token_for(operator), "millId": str(mill.id)})
    other = connect(manager)
    assert registry.count_for_user(str(operator.id)) == 2
    assert sids_of(operator) == sorted([("/", first.sid), ("/mill", on_mill.sid)])
    assert sids_of(manager) == [("/", other.sid)]

    first.disconnect()
    assert sids_of(operator) == [("/mill", on_mill.sid)]
    on_mill.disconnect(namespace="/mill")
    assert registry.count_for_user(str(operator.id)) == 0
    assert registry.for_user(str(operator.id)) == []
    assert sids_of(manager) == [("/", other.sid)]  # untouched by the other user's comings and goings


def test_a_refused_socket_leaves_no_trace_in_the_index(app, connect, mill):
    user = make_user(Role.OPERATOR, mill)
    app.config["SOCKET_MAX_PER_USER"], cap = 1, app.config["SOCKET_MAX_PER_USER"]
    try:
        kept = connect(user)
        refused = connect(user)
        assert refused.connect_error == {"message": "Too many connections for this user"}
        assert sids_of(user) == [("/", kept.sid)]
    finally:
        app.config["SOCKET_MAX_PER_USER"] = cap


def test_disconnecting_one_token_keeps_the_users_other_sockets(connect, mill):
    user = make_user(Role.OPERATOR, mill)
    with_a, with_b = connect(user), connect(user)
    jti_a = registry.get("/", with_a.sid).jti
    registry.get("/", with_b.sid).jti = "another-token"
    assert live_auth.disconnect_local(str(user.id), jti=jti_a, reason="test") == 1
    assert not with_a.is_connected()
    assert with_b.is_connected()
    assert sids_of(user) == [("/", with_b.sid)]
