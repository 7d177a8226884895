"""A lean asyncio Socket.IO 4 client (Engine.IO 4, websocket transport only) on wsproto.

Why not python-socketio's clients: its AsyncClient needs aiohttp (not a dependency here) and its
threaded Client costs several threads per connection; the benchmarks hold hundreds to thousands of
connections from one process on a 2-core machine. This speaks just enough of the protocol: the
websocket upgrade, the Engine.IO open packet, the namespace CONNECT with `auth: {token}`, answers to
pings, and EVENT packets. The token travels in the CONNECT packet, never in the URL.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import Callable

from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Ping,
    RejectConnection,
    Request,
    TextMessage,
)


class ConnectRefused(Exception):
    pass


class SioClient:
    def __init__(
        self,
        host: str,
        port: int,
        token: str | None,
        *,
        namespace: str = "/",
        on_event: Callable[["SioClient", str, object, float], None] | None = None,  # (client, name, data, time.time())
        parse: bool = True,
    ):
        self.host, self.port, self.token, self.namespace = host, port, token, namespace
        self.on_event = on_event
        self.parse = parse  # False: count events without decoding their JSON
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connected = False
        self.closed = False
        self.events = 0
        self._text: list[str] = []
        self._inbox: asyncio.Queue[str] = asyncio.Queue()
        self._task: asyncio.Task | None = None

    # -- wire ----------------------------------------------------------------------------------

    def _send(self, event) -> None:
        self.writer.write(self.ws.send(event))

    def _send_text(self, text: str) -> None:
        self._send(TextMessage(data=text))

    async def _pump(self) -> list:
        data = await self.reader.read(65536)
        if not data:
            self.ws.receive_data(None)
        else:
            self.ws.receive_data(data)
        return list(self.ws.events())

    # -- protocol ------------------------------------------------------------------------------

    async def connect(self, timeout: float = 30.0) -> None:
        await asyncio.wait_for(self._connect(), timeout)
        self._task = asyncio.ensure_future(self._read_loop())

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
        self._send(Request(host=f"{self.host}:{self.port}", target="/socket.io/?EIO=4&transport=websocket"))
        await self.writer.drain()
        packets: list[str] = []
        accepted = False
        while True:
            for ev in await self._pump():
                if isinstance(ev, AcceptConnection):
                    accepted = True
                elif isinstance(ev, RejectConnection):
                    raise ConnectRefused(f"websocket upgrade refused: {ev.status_code}")
                elif isinstance(ev, TextMessage):
                    self._text.append(ev.data)
                    if ev.message_finished:
                        packets.append("".join(self._text))
                        self._text = []
                elif isinstance(ev, CloseConnection):
                    raise ConnectRefused("closed during handshake")
            if not accepted:
                if self.reader.at_eof():
                    raise ConnectRefused("connection closed before the websocket upgrade")
                continue
            while packets:
                pkt = packets.pop(0)
                if pkt.startswith("0"):  # Engine.IO open: now CONNECT the namespace with the token
                    auth = json.dumps({"token": self.token}) if self.token else ""
                    prefix = "" if self.namespace == "/" else self.namespace + ","
                    self._send_text("40" + prefix + auth)
                    await self.writer.drain()
                elif pkt == "2":
                    self._send_text("3")
                elif pkt.startswith("40"):
                    self.connected = True
                    for rest in packets:  # events that came in the same read
                        self._handle(rest, time.time())
                    return
                elif pkt.startswith("44"):
                    raise ConnectRefused(pkt[2:])
            if self.reader.at_eof():
                raise ConnectRefused("connection closed during handshake")

    async def _read_loop(self) -> None:
        try:
            while not self.closed:
                events = await self._pump()
                now = time.time()
                for ev in events:
                    if isinstance(ev, TextMessage):
                        self._text.append(ev.data)
                        if ev.message_finished:
                            self._handle("".join(self._text), now)
                            self._text = []
                    elif isinstance(ev, Ping):
                        self._send(ev.response())
                    elif isinstance(ev, CloseConnection):
                        self.closed = True
                if self.reader.at_eof():
                    self.closed = True
        except (ConnectionError, OSError):
            self.closed = True
        finally:
            self.connected = False

    def _handle(self, pkt: str, now: float) -> None:
        if pkt == "2":
            self._send_text("3")
            return
        if not pkt.startswith("42"):
            if pkt.startswith("41"):
                self.connected = False
            return
        self.events += 1
        if self.on_event is None:
            return
        body = pkt[2:]
        if body.startswith("/"):
            body = body.split(",", 1)[1]
        if not self.parse:
            self.on_event(self, "", body, now)
            return
        start = body.find("[")
        arr = json.loads(body[start:])
        self.on_event(self, arr[0], arr[1] if len(arr) > 1 else None, now)

    async def close(self) -> None:
        self.closed = True
        if self.writer is not None:
            with contextlib.suppress(Exception):  # already gone: nothing to close
                self._send(CloseConnection(code=1000))
                self.writer.close()
        if self._task is not None:
            self._task.cancel()


async def connect_many(clients: list[SioClient], *, concurrency: int = 100, timeout: float = 60.0) -> list:
    """Connect all clients, at most `concurrency` handshakes at a time. Returns the failures."""
    sem = asyncio.Semaphore(concurrency)
    failures = []

    async def one(c: SioClient):
        async with sem:
            try:
                await c.connect(timeout)
            except (TimeoutError, ConnectRefused, OSError) as error:
                failures.append(repr(error))

    await asyncio.gather(*(one(c) for c in clients))
    return failures
