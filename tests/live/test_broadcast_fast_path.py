"""The broadcast fast path (ricemill/realtime/sockets/fastpath.py) on a real eventlet server.

Websocket clients get frames written straight to their socket, built once per broadcast; polling
clients keep python-engineio's queue. Either way: exactly the room, in order, binary intact, and
clients that come or go mid-broadcast or read slowly disturb nobody else.
"""

import json
import socket

import pytest
import requests
from engineio.payload import Payload
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, Request, TextMessage
from wsproto.extensions import PerMessageDeflate

from ricemill.auth.roles import Role
from ricemill.extensions import db
from tests.factories import make_mill, make_user

from .conftest import token, wait_for

pytestmark = [
    pytest.mark.committed,
    pytest.mark.live,
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

SCRIPT = "tests/live/broadcast_server.py"


@pytest.fixture(autouse=True)
def long_polls(monkeypatch):
    """python-engineio's client refuses a long-poll answer of more than 16 packets (a limit meant for
    servers); a burst to a polling client brings hundreds in one answer, as browsers accept."""
    monkeypatch.setattr(Payload, "max_decode_packets", 100_000)


@pytest.fixture
def mills(live_app):
    with live_app.app_context():
        a, b = make_mill("Fast A"), make_mill("Fast B")
        ua, ua2, ub = make_user(Role.OPERATOR, a), make_user(Role.MANAGER, a), make_user(Role.OPERATOR, b)
        world = {
            "a": str(a.id),
            "b": str(b.id),
            "ta": token(live_app, ua),
            "ta2": token(live_app, ua2),
            "tb": token(live_app, ub),
        }
        db.session.remove()
    return world


def post(server, path, **body):
    response = requests.post(f"{server.url}{path}", json=body, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def ticks(client):
    return [payload["i"] for payload in client.of("test:tick")]


def ready(*clients):
    for client in clients:
        client.wait_event("connected")


def test_a_broadcast_reaches_exactly_its_room_in_order_on_websocket_and_polling(servers, mills, clients):
    server = servers(script=SCRIPT)
    ws_a = clients(server.url, mills["ta"])
    ws_a2 = clients(server.url, mills["ta2"])
    polling_a = clients(server.url, mills["ta"], transports=("polling",))
    mill_ns_a = clients(server.url, namespace="/mill", auth={"token": mills["ta"], "millId": mills["a"]})
    ws_b = clients(server.url, mills["tb"])
    mill_ns_b = clients(server.url, namespace="/mill", auth={"token": mills["tb"], "millId": mills["b"]})
    everyone = (ws_a, ws_a2, polling_a, mill_ns_a, ws_b, mill_ns_b)
    ready(*everyone)

    state = requests.get(f"{server.url}/test/fastpath", timeout=5).json()
    assert state["server"] == "FastSocketIOServer"
    assert set(state["sockets"].values()) == {"FastSocket"}
    # the five websocket clients write directly; the polling one keeps engineio's queue
    assert len(state["sockets"]) == 6 and state["direct"] == 5, state

    count = 400
    post(server, "/test/emit", millId=mills["a"], count=count)
    for name, client in (("ws", ws_a), ("ws2", ws_a2), ("polling", polling_a), ("/mill", mill_ns_a)):
        wait_for(lambda client=client: len(ticks(client)) >= count, message=f"every tick of mill A ({name})")
        assert ticks(client) == list(range(count))
        assert {payload["millId"] for payload in client.of("test:tick")} == {mills["a"]}

    # B's clients: a broadcast of their own arrives, and it is the only one they ever got
    post(server, "/test/emit", millId=mills["b"], count=3)
    for client in (ws_b, mill_ns_b):
        wait_for(lambda client=client: len(ticks(client)) >= 3, message="mill B's ticks")
        assert ticks(client) == [0, 1, 2]
        assert {payload["millId"] for payload in client.of("test:tick")} == {mills["b"]}
    for client in (ws_a, ws_a2, polling_a, mill_ns_a):
        assert len(ticks(client)) == count


def test_binary_payloads_reach_websocket_and_polling_clients_intact(servers, mills, clients):
    server = servers(script=SCRIPT)
    ws = clients(server.url, mills["ta"])
    polling = clients(server.url, mills["ta"], transports=("polling",))
    mill_ns = clients(server.url, namespace="/mill", auth={"token": mills["ta"], "millId": mills["a"]})
    ready(ws, polling, mill_ns)

    # 70,000 bytes: past 65,535, the websocket frame's 64-bit length
    for size, count in ((100, 5), (3000, 5), (70000, 2)):
        for client in (ws, polling, mill_ns):
            del client.events[:]
        post(server, "/test/emit", millId=mills["a"], count=count, blob=size)
        for client in (ws, polling, mill_ns):
            wait_for(lambda client=client, count=count: len(ticks(client)) >= count, message="the binary ticks")
            got = client.of("test:tick")
            assert [payload["i"] for payload in got] == list(range(count))
            for payload in got:
                assert payload["blob"] == bytes((payload["i"] + k) % 256 for k in range(size))


def test_clients_that_connect_or_leave_mid_broadcast_disturb_no_one(servers, mills, clients):
    server = servers(script=SCRIPT)
    staying = clients(server.url, mills["ta"])
    staying_polling = clients(server.url, mills["ta2"], transports=("polling",))
    leaving = clients(server.url, mills["ta"])
    ready(staying, staying_polling, leaving)

    post(server, "/test/stream/start", millId=mills["a"])
    wait_for(lambda: len(ticks(leaving)) >= 20, message="the stream under way")
    leaving.close()
    joining = clients(server.url, mills["ta2"])
    joining_mill = clients(server.url, namespace="/mill", auth={"token": mills["ta"], "millId": mills["a"]})
    ready(joining, joining_mill)
    wait_for(lambda: len(ticks(joining)) >= 20 and len(ticks(joining_mill)) >= 20, message="the joiners' ticks")
    sent = post(server, "/test/stream/stop")["sent"]

    for client in (staying, staying_polling):
        wait_for(lambda client=client: len(ticks(client)) >= sent, message="every tick of the stream")
        assert ticks(client) == list(range(sent))
    for client in (joining, joining_mill):
        got = ticks(client)
        wait_for(lambda client=client: ticks(client)[-1:] == [sent - 1], message="the stream's last tick")
        got = ticks(client)
        assert got == list(range(got[0], sent)), "a joiner's ticks run on from its first, without a gap"
    # the server is healthy after it: a new broadcast reaches every client still there
    for client in (staying, staying_polling, joining):
        del client.events[:]
    post(server, "/test/emit", millId=mills["a"], count=5)
    for client in (staying, staying_polling, joining):
        wait_for(lambda client=client: ticks(client) == list(range(5)), message="the next broadcast")
    assert "Traceback" not in server.output()


class RawClient:
    """A bare Socket.IO websocket client that reads only when told to (a slow reader)."""

    def __init__(self, port, token, *, deflate=False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.ws = WSConnection(ConnectionType.CLIENT)
        target = "/socket.io/?EIO=4&transport=websocket"
        extensions = [PerMessageDeflate()] if deflate else []
        self.sock.sendall(self.ws.send(Request(host="127.0.0.1", target=target, extensions=extensions)))
        self.extensions = None
        self.messages = []
        self._text = []
        self.read_until(lambda: self.accepted)
        self.read_until(lambda: any(m.startswith("0{") for m in self.messages))  # Engine.IO OPEN
        self.send("40" + json.dumps({"token": token}))
        self.read_until(lambda: any(m.startswith('42["connected"') for m in self.messages))

    accepted = False

    def send(self, text):
        self.sock.sendall(self.ws.send(TextMessage(data=text)))

    def read_until(self, done):
        while not done():
            data = self.sock.recv(65536)
            assert data, "the server closed the connection"
            self.ws.receive_data(data)
            for event in self.ws.events():
                if isinstance(event, AcceptConnection):
                    self.accepted = True
                    self.extensions = [extension.name for extension in event.extensions]
                elif isinstance(event, TextMessage):
                    self._text.append(event.data)
                    if event.message_finished:
                        message = "".join(self._text)
                        self._text = []
                        if message == "2":  # Engine.IO ping
                            self.send("3")
                        self.messages.append(message)
                elif isinstance(event, BytesMessage):
                    pass

    def ticks(self):
        out = []
        for message in self.messages:
            if message.startswith('42["test:tick"'):
                out.append(json.loads(message[2:])[1]["i"])
        return out

    def close(self):
        self.sock.close()


def test_a_slow_reader_gets_everything_in_order_and_holds_up_no_one(servers, mills, clients):
    server = servers(script=SCRIPT)
    slow = RawClient(server.port, mills["ta"])
    try:
        fast = clients(server.url, mills["ta2"])
        ready(fast)
        # ~4 MB for the slow client, past what the kernel's socket buffers take from a client that
        # does not read: the rest waits in its backlog while the fast client gets every event
        count = 100
        post(server, "/test/emit", millId=mills["a"], count=count, pad=40000)
        wait_for(lambda: len(ticks(fast)) >= count, timeout=30, message="the fast client's ticks")
        assert ticks(fast) == list(range(count))
        state = requests.get(f"{server.url}/test/fastpath", timeout=5).json()
        assert state["backlogs_started"] >= 1, "the slow client never fell behind: the test proves nothing"
        slow.read_until(lambda: len(slow.ticks()) >= count)
        assert slow.ticks() == list(range(count))
    finally:
        slow.close()


@pytest.mark.parametrize("compression", [False, True])
def test_websocket_compression_is_declined_unless_configured(servers, mills, compression):
    """Off (the default, as Node's socket.io): a client offering permessage-deflate gets plain frames,
    shared by the whole room. On: that client's frames are compressed for it alone, still in order."""
    server = servers(script=SCRIPT, SOCKETIO_WEBSOCKET_COMPRESSION=str(compression).lower())
    offering = RawClient(server.port, mills["ta"], deflate=True)
    plain = RawClient(server.port, mills["ta2"])
    try:
        assert offering.extensions == (["permessage-deflate"] if compression else [])
        post(server, "/test/emit", millId=mills["a"], count=50, pad=1000)
        for client in (offering, plain):
            client.read_until(lambda client=client: len(client.ticks()) >= 50)
            assert client.ticks() == list(range(50))
    finally:
        offering.close()
        plain.close()


def test_an_idle_websocket_holds_one_green_thread(servers, mills, clients):
    """python-engineio's path holds three per websocket (connection, writer, ping sleeper)."""
    server = servers(script=SCRIPT)

    def greenlets():
        return requests.get(f"{server.url}/test/fastpath", timeout=5).json()["greenlets"]

    ready(clients(server.url, mills["ta"]))  # the server's own tasks (expiry watch...) start on a first socket
    before = greenlets()
    made = [clients(server.url, mills["ta2"]) for _ in range(10)]
    ready(*made)
    wait_for(lambda: greenlets() - before <= 10 + 2, message="one green thread per idle websocket")
