"""The broadcast fast path (ricemill/realtime/sockets/fastpath.py) on a real eventlet server.

Websocket clients get frames written straight to their socket, built once per broadcast; polling
clients keep python-engineio's queue. Either way: exactly the room, in order, binary intact, and
clients that come or go mid-broadcast or read slowly disturb nobody else.
"""

import json
import socket
import time

import pytest
import requests
from engineio.payload import Payload
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, CloseConnection, Ping, Pong, Request, TextMessage
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
    # the five websocket clients write directly and are read by the hub; the polling one keeps
    # engineio's queue
    assert len(state["sockets"]) == 6 and state["direct"] == 5 and state["detached"] == 5, state

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
        self.pongs = []
        self.closed_with = None  # the status of the server's closing frame
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
                elif isinstance(event, Pong):
                    self.pongs.append(bytes(event.payload))
                elif isinstance(event, CloseConnection):
                    self.closed_with = event.code

    def send_event(self, text, pieces=1):
        """A Socket.IO packet as a message of `pieces` fragments, each frame's bytes written in two
        parts a moment apart (the server gets them in separate reads)."""
        step = -(-len(text) // pieces)
        for start in range(0, len(text), step):
            last = start + step >= len(text)
            frame = self.ws.send(TextMessage(data=text[start : start + step], message_finished=last))
            self.sock.sendall(frame[:3])
            time.sleep(0.05)
            self.sock.sendall(frame[3:])

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


def test_an_idle_websocket_holds_no_green_thread(servers, mills, clients):
    """python-engineio's path holds three per websocket (connection, writer, ping sleeper); here the
    hub reads an idle websocket, and eventlet's connection green thread has ended."""
    server = servers(script=SCRIPT)

    def state():
        return requests.get(f"{server.url}/test/fastpath", timeout=5).json()

    ready(clients(server.url, mills["ta"]))  # the server's own tasks (expiry watch...) start on a first socket
    before = state()["greenlets"]
    made = [clients(server.url, mills["ta2"]) for _ in range(10)]
    ready(*made)
    wait_for(lambda: state()["greenlets"] - before <= 2, message="no green thread per idle websocket")
    assert state()["detached"] == 11
    # and they still work: a broadcast reaches each, a client event gets its answer
    post(server, "/test/emit", millId=mills["a"], count=3)
    for client in made:
        wait_for(lambda client=client: ticks(client) == [0, 1, 2], message="the ticks of a detached websocket")
    assert made[0].emit("sync", {"millId": mills["a"], "lastSeq": 0}, timeout=10)["ok"] is True


def fastpath_state(server):
    return requests.get(f"{server.url}/test/fastpath", timeout=5).json()


def test_a_detached_websocket_answers_pings_and_reads_fragmented_and_split_messages(servers, mills):
    """The hub's reader: a websocket ping gets its pong; an event in fragments, each frame split
    across reads, arrives whole and gets its ack."""
    server = servers(script=SCRIPT)
    client = RawClient(server.port, mills["ta"])
    try:
        assert fastpath_state(server)["detached"] == 1
        client.sock.sendall(client.ws.send(Ping(payload=b"are you there")))
        client.read_until(lambda: client.pongs)
        assert client.pongs == [b"are you there"]
        client.send_event("421" + json.dumps(["sync", {"millId": mills["a"], "lastSeq": 0}]), pieces=3)
        client.read_until(lambda: any(m.startswith("431") for m in client.messages))
        ack = json.loads(next(m for m in client.messages if m.startswith("431"))[3:])
        assert ack[0]["ok"] is True and ack[0]["millId"] == mills["a"]
    finally:
        client.close()


def test_a_detached_websocket_that_closes_or_vanishes_is_forgotten(servers, mills, clients):
    """A closing frame is answered with the server's own; a client gone without one is noticed.
    Either way the server forgets the socket, and the others are unaffected."""
    server = servers(script=SCRIPT)
    staying = clients(server.url, mills["ta2"])
    ready(staying)
    closing, vanishing = RawClient(server.port, mills["ta"]), RawClient(server.port, mills["ta"])
    assert len(fastpath_state(server)["sockets"]) == 3
    closing.sock.sendall(closing.ws.send(CloseConnection(code=1000)))
    closing.read_until(lambda: closing.closed_with is not None)
    assert closing.closed_with == 1000
    closing.close()
    vanishing.close()  # no closing frame: the connection just ends
    wait_for(lambda: len(fastpath_state(server)["sockets"]) == 1, message="both sockets forgotten")
    post(server, "/test/emit", millId=mills["a"], count=2)
    wait_for(lambda: ticks(staying) == [0, 1], message="the remaining client's ticks")
    assert "Traceback" not in server.output()


MASK = b"\0\0\0\0"  # a valid mask that leaves the payload as it is


BROKEN_FRAMES = {
    "unmasked": (b"\x81\x01a", 1002),
    "RSV1 without permessage-deflate": (b"\xc1\x81" + MASK + b"a", 1002),
    "an unknown opcode": (b"\x83\x81" + MASK + b"a", 1002),
    "a continuation with no message": (b"\x80\x81" + MASK + b"a", 1002),
    "text that is not UTF-8": (b"\x81\x82" + MASK + b"\xff\xfe", 1007),
    "over the size limit (64 KB)": (b"\x81\xff" + (2**20).to_bytes(8, "big") + MASK, 1009),
}


def test_a_frame_that_breaks_rfc6455_closes_the_connection_with_its_status(servers, mills, clients):
    server = servers(script=SCRIPT)
    bystander = clients(server.url, mills["ta2"])
    ready(bystander)
    for name, (frame, status) in BROKEN_FRAMES.items():
        client = RawClient(server.port, mills["ta"])
        try:
            client.sock.sendall(frame)
            client.read_until(lambda client=client: client.closed_with is not None)
            assert client.closed_with == status, name
            wait_for(lambda: len(fastpath_state(server)["sockets"]) == 1, message=f"{name}: the socket forgotten")
        finally:
            client.close()
    assert bystander.sio.connected


def test_past_max_connections_a_websocket_keeps_its_green_thread(servers, mills, clients):
    """MAX_CONNECTIONS (eventlet's max_size) bounds the connections that hold a green thread; the
    hub reads as many websockets again, and the next ones are served as before, on a green thread."""
    server = servers(script=SCRIPT, MAX_CONNECTIONS="4")
    first = [clients(server.url, mills["ta"]) for _ in range(4)]
    ready(*first)
    wait_for(lambda: fastpath_state(server)["detached_count"] == 4, message="four websockets read by the hub")
    extra = clients(server.url, mills["ta2"])
    ready(extra)
    state = fastpath_state(server)
    assert state["direct"] == 5 and state["detached"] == 4 and state["detached_count"] == 4, state
    post(server, "/test/emit", millId=mills["a"], count=3)
    for client in (*first, extra):
        wait_for(lambda client=client: ticks(client) == [0, 1, 2], message="every websocket's ticks")
    first[0].close()
    wait_for(lambda: fastpath_state(server)["detached_count"] == 3, message="a place freed")
    ready(clients(server.url, mills["ta"]))
    wait_for(lambda: fastpath_state(server)["detached_count"] == 4, message="the place taken again")
