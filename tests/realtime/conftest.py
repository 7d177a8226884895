import pytest
from socketio import packet

from ricemill.extensions import socketio
from ricemill.realtime.outbox import dispatch
from ricemill.realtime.sockets import registry
from tests.factories import token_for


@pytest.fixture(autouse=True)
def _dispatcher(app):
    """Other tests may replace the outbox's dispatcher; these tests need the real one."""
    dispatch.install(app)
    yield
    dispatch.install(app)


@pytest.fixture
def connect(app):
    """connect(user, namespace="/", auth=None, **kw) -> a connected (or refused) Socket.IO test client."""
    clients = []
    errors = []
    base = socketio.server.packet_class

    class Recording(base):
        """Keeps the CONNECT_ERROR data, which Flask-SocketIO's test client drops."""

        def __init__(self, packet_type=packet.EVENT, data=None, *args, **kwargs):
            super().__init__(packet_type, data, *args, **kwargs)
            if packet_type == packet.CONNECT_ERROR:
                errors.append(data)

    socketio.server.packet_class = Recording

    def _connect(user=None, namespace="/", auth=None, token=None, **kwargs):
        if auth is None and (user is not None or token is not None):
            auth = {"token": token if token is not None else token_for(user)}
        errors.clear()
        client = socketio.test_client(app, namespace=namespace, auth=auth, **kwargs)
        client.connect_error = errors[-1] if errors else None
        client.sid = socketio.server.manager.sid_from_eio_sid(client.eio_sid, namespace)
        clients.append((client, namespace))
        return client

    yield _connect
    socketio.server.packet_class = base
    for client, namespace in clients:
        if client.is_connected(namespace):
            client.disconnect(namespace=namespace)
    assert all(session.namespace is not None for session in registry.all_sessions())


def names(client, namespace="/"):
    return [packet["name"] for packet in client.get_received(namespace)]


def received(client, event, namespace="/"):
    return [packet["args"][0] if packet["args"] else None for packet in client.get_received(namespace)
            if packet["name"] == event]  # fmt: skip
