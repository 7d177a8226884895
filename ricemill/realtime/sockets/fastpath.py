"""Room broadcasts without a queue hop per client, and fewer green threads per websocket (eventlet).

python-engineio gives every socket a queue and, once on websocket, a writer green thread that
takes each packet from that queue, encodes it and frames it; a broadcast to N clients therefore
costs N queue puts, N green-thread switches, N encodings and N framings. Here, under eventlet:

- a socket on a plain (not TLS) RFC 6455 websocket writes without a queue or a writer: the
  frames one green thread writes in a turn of the hub loop (a burst of events) leave together, in
  one non-blocking system call, when the hub next runs. Only when the client reads slowly (the
  kernel buffer is full) does the rest wait in a backlog that a short-lived green thread flushes;
  later frames join that backlog, so order holds and a slow client holds up no one. A client whose
  backlog passes BACKLOG_LIMIT bytes is cut off (its unread events stay in the outbox for `sync`).
- a room broadcast encodes the Socket.IO packet once (python-socketio already does) and the
  websocket frame once, and writes those same bytes to every such socket of the room.
- the ping timer is a hub timer, not a sleeping green thread per connection, and the HTTP buffers
  eventlet keeps for the connection (24 KB, unused by a websocket) are released.
- once connected, a plain websocket is read by the hub: a listener on its socket parses the frames
  that arrived (`FrameParser`, RFC 6455, no extension) and hands complete messages to a short-lived
  green thread; eventlet's connection green thread returns, and with it the WSGI call chain it kept
  suspended (the request handler, its parsed headers, the environ, the websocket object). An idle
  websocket then holds no green thread at all instead of three. At most `max_detached` at once
  (MAX_CONNECTIONS); past it, and for a socket with per-connection compression, eventlet's green
  thread reads as before.
- python-socketio keeps each connection's WSGI environ for its life (Flask-SocketIO builds every
  event's request context from it): here a reduced copy (`connection_environ`).

Long-polling clients, TLS websockets, other WSGI servers (gunicorn) and the threading mode (tests,
CLI) keep python-engineio's normal path. permessage-deflate is declined unless
SOCKETIO_WEBSOCKET_COMPRESSION is on (eventlet accepted it from every client that offered it,
browsers and Node's `ws` included: zlib per message per client was two thirds of a broadcast's
CPU); with it on, such a socket still writes directly but frames (compresses) each message for
itself. `install(server)` wires it (realtime/setup.py), only
under eventlet. The pieces hook python-engineio 4.x / python-socketio 5.x internals (pinned in
requirements.txt); tests/live/test_broadcast_fast_path.py checks them on a real eventlet server.
"""

import collections
import io
import socket as socket_module
import struct
import sys
import time

import engineio
import socketio as socketio_pkg
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet
from engineio.socket import Socket

BACKLOG_LIMIT = 16 * 2**20  # bytes a slow client may leave unread before it is disconnected


def ws_frame(data) -> bytes:
    """One unmasked, final RFC 6455 frame: text for `str`, binary for `bytes`."""
    if isinstance(data, str):
        data, opcode = data.encode("utf-8"), 0x81
    else:
        data, opcode = bytes(data), 0x82
    length = len(data)
    if length < 126:
        header = struct.pack("!BB", opcode, length)
    elif length < 65536:
        header = struct.pack("!BBH", opcode, 126, length)
    else:
        header = struct.pack("!BBQ", opcode, 127, length)
    return header + data


def _ws_payload(pkt):
    """What the websocket transport sends for an Engine.IO packet. Binary data is taken as is,
    not through `encode()`, whose cache would hand a polling client of the same broadcast raw
    bytes instead of base64."""
    return pkt.data if pkt.binary else pkt.encode()


class FastSocket(Socket):
    """An Engine.IO socket that writes its websocket frames directly (see the module docstring)."""

    _direct = False  # frames go straight to the OS socket (no queue, no writer)
    _ws = None  # eventlet's websocket, while its green thread reads it (None once detached)
    _raw = None  # the non-blocking OS socket
    _reader = None  # detached: the hub listener and frame parser reading the socket
    _shared = False  # True: frames are the same bytes for every client (no per-connection deflate)
    _backlog = None  # deque of bytes waiting for a slow client; not None while a flusher runs
    _backlog_bytes = 0
    _dead = False  # the transport is gone or being closed: frames are dropped
    _ws_closed = False
    _close_after_flush = False
    _pending = None  # frames written in the current turn of the hub loop
    backlogs_started = 0  # in this process, how often a client fell behind (a flusher started)

    # --- ping: a hub timer instead of a green thread asleep for ping_interval -------------------

    def schedule_ping(self):
        if self.last_ping:
            self.last_ping = None
            _hub().schedule_call_global(self.server.ping_interval, self._ping_due)

    def _ping_due(self):  # runs in the hub: must not block, so the send gets its own green thread
        if not self.closing and not self.closed:
            _spawn_n(self._send_ping_now)

    def _send_ping_now(self):
        if not self.closing and not self.closed:
            self.last_ping = time.time()
            self.send(eio_packet.Packet(eio_packet.PING))

    # --- sending --------------------------------------------------------------------------------

    def send(self, pkt):
        if not self._direct:
            return super().send(pkt)
        if self.check_ping_timeout():
            self._write(self._frame(_ws_payload(pkt)))

    def send_frame(self, frame: bytes) -> None:
        """A frame built once for many sockets (`shares_frames` must be true)."""
        if self.check_ping_timeout():
            self._write(frame)

    @property
    def shares_frames(self) -> bool:
        return self._shared and not self._dead and not self.closed

    def _frame(self, data) -> bytes:
        if self._shared:
            return ws_frame(data)
        return self._ws._pack_message(data)  # per-connection compression: eventlet frames it

    def _write(self, frame: bytes) -> None:
        """Never blocks nor switches green threads. Frames written in one turn of the hub loop (a
        burst of events) leave together in one system call when the hub next runs; what the kernel
        does not take waits in the backlog, in order."""
        if self._dead:
            return
        if self._backlog is not None:
            self._backlog.append(frame)
            self._backlog_bytes += len(frame)
            if self._backlog_bytes > BACKLOG_LIMIT:
                self.server.logger.warning("%s: client reads too slowly, disconnecting", self.sid)
                self._abort_transport()
            return
        if self._pending is None:
            self._pending = [frame]
            _cork(self)
        else:
            self._pending.append(frame)

    def _uncork(self) -> None:
        """Send what this turn wrote (non-blocking; the hub calls it, and closing does)."""
        frames, self._pending = self._pending, None
        if not frames or self._dead:
            return
        data = frames[0] if len(frames) == 1 else b"".join(frames)
        try:
            sent = self._raw.send(data)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._abort_transport()
            return
        if sent < len(data):
            self._backlog = collections.deque([memoryview(data)[sent:]])
            self._backlog_bytes = len(data) - sent
            FastSocket.backlogs_started += 1
            _spawn_n(self._flush)

    def _flush(self) -> None:
        try:
            while self._backlog and not self._dead:
                data = self._backlog.popleft()
                self._backlog_bytes -= len(data)
                _send_all(self._raw, data)  # yields to the hub until the client has read enough
        except OSError:
            self._dead = True
        finally:
            self._backlog = None
            self._backlog_bytes = 0
        if self._dead or self._close_after_flush:
            self._close_ws()

    def _abort_transport(self) -> None:
        """Drop what is unsent and end the reader loop (it sees the connection shut)."""
        self._dead = True
        if self._backlog is not None:
            self._backlog.clear()
        try:
            self._raw.shutdown(socket_module.SHUT_RDWR)
        except OSError:
            pass

    def _close_ws(self) -> None:
        if self._ws_closed:
            return
        self._ws_closed = True
        if self._reader is None:
            self._ws.close()  # closing frame, then the socket: the reader loop ends
            return
        # detached: as eventlet's close (closing frame, shut the writing side, close), and the hub
        # stops watching the socket before it is closed (its number may be reused at once)
        self._reader.stop()
        try:
            if self._close_status:
                self._raw.send(struct.pack("!BBH", 0x88, 2, self._close_status))
            self._raw.shutdown(socket_module.SHUT_WR)
        except OSError:
            pass
        self._raw.close()
        self.server.detached -= 1
        if self.server.sockets.get(self.sid) is self:  # as engineio does when its handler returns
            del self.server.sockets[self.sid]

    def _end_transport(self) -> None:
        """Close the websocket once what was already sent is flushed (the flusher does it then)."""
        self._uncork()
        if self._backlog is not None and not self._dead:
            self._close_after_flush = True
        elif self._backlog is None:
            self._close_ws()
        # else: a flusher in its last write closes it when that write returns

    def close(self, wait=True, abort=False, reason=None):
        if not self._direct:
            return super().close(wait=wait, abort=abort, reason=reason)
        # As engineio's Socket.close, without the queue (nothing reads it on this path).
        if not self.closed and not self.closing:
            self.closing = True
            self.server._trigger_event(
                "disconnect", self.sid, reason or self.server.reason.SERVER_DISCONNECT, run_async=False
            )
            if not abort:
                self.send(eio_packet.Packet(eio_packet.CLOSE))
            self.closed = True
            self._end_transport()

    # --- the websocket transport ----------------------------------------------------------------

    def _websocket_handler(self, ws):
        raw = _plain_socket(ws)
        if raw is None:  # TLS or an old websocket protocol: engineio's own handler
            return super()._websocket_handler(ws)

        def websocket_wait():
            data = ws.wait()
            if data and len(data) > self.server.max_http_buffer_size:
                raise ValueError("packet is too large")
            return data

        ws.socket.settimeout(self.server.ping_interval + self.server.ping_timeout)
        if self.connected:
            # an upgrade from long-polling: engineio's probe exchange
            self.upgrading = True
            pkt = websocket_wait()
            decoded = eio_packet.Packet(encoded_packet=pkt)
            if decoded.packet_type != eio_packet.PING or decoded.data != "probe":
                self.server.logger.info("%s: Failed websocket upgrade, no PING packet", self.sid)
                self.upgrading = False
                return []
            ws.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
            self.queue.put(eio_packet.Packet(eio_packet.NOOP))  # end the pending poll
            pkt = websocket_wait()
            decoded = eio_packet.Packet(encoded_packet=pkt)
            if decoded.packet_type != eio_packet.UPGRADE:
                self.upgraded = False
                self.server.logger.info("%s: Failed websocket upgrade, expected UPGRADE packet", self.sid)
                self.upgrading = False
                return []
            self.upgraded = True
            self.upgrading = False
        else:
            self.connected = True
            self.upgraded = True

        # Direct from here on. What was queued before (the OPEN packet, sends during the upgrade)
        # goes first; nothing in between switches green threads, so no send can overtake it.
        queued = self._take_queued()
        protocol = _release_http_buffers()
        self._ws, self._raw, self._direct = ws, raw, True
        self.queue = None  # engineio's queue (an eventlet Queue, its Event and waiters): unused from here on
        self._shared = not ws.extensions.get("permessage-deflate")
        for pkt in queued:
            if pkt is None:  # closed while upgrading
                self._dead = True
                break
            self._write(self._frame(_ws_payload(pkt)))

        if self._shared and protocol is not None and not self._dead and _may_detach(self.server):
            self._detach(ws)
            return []
        while not self._dead:
            try:
                p = websocket_wait()
            except Exception as e:
                if not self.closed:
                    self.server.logger.info('%s: Unexpected error "%s", closing connection', self.sid, str(e))
                break
            if p is None or not self._receive_one(p):  # closed by the client, or the packet ended it
                break

        self._dead = True
        if self._backlog is not None:
            # a flusher is blocked writing to a client that is gone: cut the connection under it
            # (it closes the socket); eventlet must not write a closing frame alongside it
            ws.websocket_closed = True
            self._abort_transport()
        else:
            self._close_ws()
        self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)
        return []

    # --- detached: the hub reads the socket, no green thread waits on it --------------------------

    def _detach(self, ws) -> None:
        """Hand the connection from eventlet's green thread to a hub listener, and let that green
        thread (and the WSGI call chain it keeps suspended: eventlet's request, the environ, the
        websocket object) end. eventlet closes the connection when its handler returns: its socket
        object is told to keep it open, and no closing frame is sent."""
        green = ws.socket
        green.close = green.shutdown = _keep_open
        ws.websocket_closed = True
        self._ws = None
        self._reader = _HubReader(self, self._raw, self.server.max_http_buffer_size)
        self.server.detached += 1

    def _received(self, messages) -> None:
        """Messages the hub listener parsed (None: the connection ended), handled in order by one
        short-lived green thread (a handler may block; the hub must not)."""
        if self._inbox is None:
            self._inbox = collections.deque(messages)
            _spawn_n(self._handle_inbox)
        else:
            self._inbox.extend(messages)

    _inbox = None  # detached: messages waiting for _handle_inbox; not None while it runs
    _close_status = 1000  # detached: the closing frame's status (None: the connection is gone, none)

    def _handle_inbox(self) -> None:
        inbox = self._inbox
        try:
            while inbox:
                p = inbox.popleft()
                if p is None or not self._receive_one(p):
                    inbox.clear()
                    self._transport_gone()
        finally:
            self._inbox = None

    def _receive_one(self, p) -> bool:
        """One Engine.IO packet from the client; False when the connection must end."""
        if self.closed:
            return False
        try:
            self.receive(eio_packet.Packet(encoded_packet=p))
        except eio_exceptions.UnknownPacketError:
            pass
        except eio_exceptions.SocketIsClosedError:
            self.server.logger.info("Receive error -- socket is closed")
            return False
        except Exception:
            self.server.logger.exception("Unknown receive error")
            return False
        return True

    def _transport_gone(self) -> None:
        """The end of a detached connection (the client left, or broke the protocol)."""
        self._dead = True
        if self._backlog is not None:
            self._abort_transport()  # the flusher, cut off, closes the socket
        else:
            self._close_ws()
        self.close(wait=False, abort=True, reason=self.server.reason.TRANSPORT_CLOSE)

    def _take_queued(self) -> list:
        packets = []
        empty = self.server.get_queue_empty_exception()
        while True:
            try:
                packets.append(self.queue.get(block=False))
            except empty:
                return packets
            self.queue.task_done()


def _release_http_buffers():
    """eventlet.wsgi keeps a connection's HTTP read (8 KB) and write (16 KB) buffers for the life of
    a websocket, which reads and writes its socket directly: closing them frees the buffers (the
    socket stays open). Found on the call stack (eventlet's HttpProtocol is the `self` of a frame
    below), and returned; another server (gunicorn) has none there: nothing is done, None."""
    from eventlet import wsgi

    frame = sys._getframe(1)
    while frame is not None:
        protocol = frame.f_locals.get("self")
        if isinstance(protocol, wsgi.HttpProtocol):
            for stream in (protocol.rfile, protocol.wfile):
                try:
                    stream.close()
                except Exception:  # noqa: S110 - best effort: the memory is all that is at stake
                    pass
            return protocol
        frame = frame.f_back
    return None


def _keep_open(*args) -> None:
    """eventlet's socket object of a detached websocket: its close and shutdown do nothing (the
    connection is the FastSocket's now)."""


def _send_all(raw, data) -> None:
    """Write all of `data` to a non-blocking socket from a green thread, yielding to the hub while
    the kernel's buffer is full."""
    from eventlet.hubs import trampoline

    view = memoryview(data)
    while view:
        try:
            view = view[raw.send(view) :]
        except BlockingIOError:
            trampoline(raw.fileno(), write=True)


class FrameError(Exception):
    """The client broke RFC 6455: `status` is the close code it gets."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _unmask(data: bytes, mask: bytes) -> bytes:
    n = len(data)
    if not n:
        return b""
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")


class FrameParser:
    """RFC 6455 frames from a client (masked), fed in whatever pieces the socket gives: returns the
    complete messages (`str` for text, `bytes` for binary) and control frames as (opcode, payload).
    No extension is negotiated on this path (RSV bits must be 0)."""

    __slots__ = ("_buf", "_parts", "_opcode", "_size", "limit")

    def __init__(self, limit: int):
        self._buf = b""
        self._parts = None  # payloads of a fragmented message so far
        self._opcode = 0
        self._size = 0
        self.limit = limit

    def feed(self, data: bytes) -> list:
        buf = self._buf + data if self._buf else data
        out = []
        pos, end = 0, len(buf)
        while end - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            fin, opcode, length = b0 & 0x80, b0 & 0x0F, b1 & 0x7F
            if b0 & 0x70:
                raise FrameError(1002, "RSV bits set without an extension")
            if not b1 & 0x80:
                raise FrameError(1002, "a client must mask its frames")
            head = 2
            if length == 126:
                head = 4
                if end - pos < head:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
            elif length == 127:
                head = 10
                if end - pos < head:
                    break
                length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
            if opcode & 8:
                if not fin or length > 125:
                    raise FrameError(1002, "bad control frame")
            elif opcode not in (0, 1, 2):
                raise FrameError(1002, "unknown opcode")
            elif self._size + length > self.limit:
                raise FrameError(1009, "message too large")
            if end - pos < head + 4 + length:
                break
            mask = buf[pos + head : pos + head + 4]
            start = pos + head + 4
            payload = _unmask(buf[start : start + length], mask)
            pos = start + length
            if opcode & 8:
                out.append((opcode, payload))
                continue
            if opcode:  # the first frame of a message
                if self._parts is not None:
                    raise FrameError(1002, "a new message inside a fragmented one")
                self._opcode, self._parts = opcode, []
            elif self._parts is None:
                raise FrameError(1002, "a continuation without a message")
            self._parts.append(payload)
            self._size += length
            if fin:
                message = b"".join(self._parts)
                if self._opcode == 1:
                    try:
                        message = message.decode("utf-8")
                    except UnicodeDecodeError:
                        raise FrameError(1007, "text is not UTF-8") from None
                out.append(message)
                self._parts, self._size = None, 0
        self._buf = buf[pos:]
        if len(self._buf) > self.limit + 14:
            raise FrameError(1009, "message too large")
        return out


class _HubReader:
    """Reads a detached websocket in the hub: a listener called when the socket has data, which
    parses whatever arrived and hands complete messages to the socket; never blocks, never
    switches green threads. Pings are answered here; a close frame, the end of the connection or a
    protocol error ends it."""

    __slots__ = ("sock", "raw", "parser", "listener")

    def __init__(self, sock: FastSocket, raw, limit: int):
        from eventlet.hubs import hub as hub_module

        self.sock, self.raw, self.parser = sock, raw, FrameParser(limit)
        hub = _hub()
        self.listener = hub.add(hub_module.READ, raw.fileno(), self._readable, _ignore, _ignore)
        self.listener.greenlet = hub.greenlet  # not the green thread that set it up, which ends now

    def stop(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            _hub().remove(listener)

    def _readable(self, _fileno) -> None:
        if self.listener is None:
            return
        try:
            data = self.raw.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        messages = []
        try:
            if not data:
                self.sock._close_status = None  # gone: no closing frame
                messages.append(None)
            else:
                messages = self._take(self.parser.feed(data))
        except FrameError as error:
            self.sock.server.logger.info("%s: websocket closed: %s", self.sock.sid, error)
            self.sock._close_status = error.status
            messages.append(None)
        except Exception:  # the hub must keep running whatever happens here
            self.sock.server.logger.exception("%s: websocket read failed", self.sock.sid)
            self.sock._close_status = 1011
            messages.append(None)
        if messages:
            if messages[-1] is None:
                self.stop()  # nothing more is read; the socket closes once the messages are handled
            self.sock._received(messages)

    def _take(self, frames: list) -> list:
        messages = []  # the parser already refused any message over the limit (1009)
        for frame in frames:
            if type(frame) is tuple:
                opcode, payload = frame
                if opcode == 9:  # ping: pong with the same payload
                    self.sock._write(struct.pack("!BB", 0x8A, len(payload)) + payload)
                elif opcode == 8:  # close: the server's closing frame follows when it closes
                    messages.append(None)
                    return messages
            else:
                messages.append(frame)
        return messages


def _ignore(*args) -> None:
    pass


def _plain_socket(ws):
    """The OS socket under an RFC 6455 websocket on a plain TCP connection (no TLS), else None."""
    import ssl

    import eventlet.patcher
    from eventlet.greenio import GreenSocket
    from eventlet.websocket import RFC6455WebSocket

    sock = getattr(ws, "socket", None)
    if not isinstance(ws, RFC6455WebSocket) or type(sock) is not GreenSocket:
        return None
    raw = getattr(sock, "fd", None)
    if not isinstance(raw, eventlet.patcher.original("socket").socket) or isinstance(raw, ssl.SSLSocket):
        return None
    return raw


_corked: list = []  # sockets written to in this turn of the hub loop
_uncork_scheduled = False


def _cork(sock) -> None:
    global _uncork_scheduled
    _corked.append(sock)
    if not _uncork_scheduled:
        _uncork_scheduled = True
        _hub().schedule_call_global(0, uncork_all)


def uncork_all() -> None:
    """One send per socket of every frame held so far. Scheduled in the hub, once the green thread
    that wrote has yielded; called directly (`emitter.send_now`) by a writer whose emits are one burst
    already and should not wait for the hub's next turn. Nothing to do without the fast path."""
    global _uncork_scheduled
    _uncork_scheduled = False
    socks = _corked[:]
    del _corked[:]
    for sock in socks:
        try:
            sock._uncork()
        except Exception:
            sock.server.logger.exception("%s: send failed", sock.sid)
            sock._abort_transport()


def _hub():
    from eventlet import hubs

    return hubs.get_hub()


def _spawn_n(fn):
    import eventlet

    eventlet.spawn_n(fn)


class _SocketTable(dict):
    """engineio's `sockets` dict: each new socket becomes a FastSocket before it sends anything."""

    def __setitem__(self, sid, sock):
        if type(sock) is Socket:
            sock.__class__ = FastSocket
        super().__setitem__(sid, sock)


def _may_detach(server) -> bool:
    limit = getattr(server, "max_detached", 0)
    return limit is None or server.detached < limit


class FastEngineServer(engineio.Server):
    """The Engine.IO server with FastSocket sockets and the direct websocket handler."""

    detached = 0  # open websockets read by the hub (they have no green thread)
    # At most this many (None: no limit); past it a websocket keeps its green thread, and so takes
    # a place among the eventlet server's max_size connections, as every websocket did before.
    max_detached = None

    @property
    def sockets(self):
        return self.__dict__["_fast_sockets"]

    @sockets.setter
    def sockets(self, value):  # engineio reassigns it (`disconnect()` of everyone)
        self.__dict__["_fast_sockets"] = value if isinstance(value, _SocketTable) else _SocketTable(value)


def _uncompressed_websocket_app():
    """engineio's eventlet websocket app, declining permessage-deflate (imported only under eventlet)."""
    from engineio.async_drivers import eventlet as eio_eventlet

    class UncompressedWebSocketWSGI(eio_eventlet.WebSocketWSGI):
        def _negotiate_permessage_deflate(self, extensions):
            return None

    return UncompressedWebSocketWSGI


# The headers kept in a connection's environ: those the connect handlers read (a later namespace's
# connect reads them again) and those a proxy sets; the rest of the handshake's headers are dropped.
KEPT_HEADERS = frozenset(
    ("HTTP_HOST", "HTTP_ORIGIN", "HTTP_COOKIE", "HTTP_USER_AGENT")
    + tuple(f"HTTP_X_FORWARDED_{name}" for name in ("FOR", "PROTO", "HOST", "PORT", "PREFIX"))
)
# Objects kept besides strings (CGI variables): Flask-SocketIO's app and session, werkzeug's proxy
# record, the WSGI constants. Not the server's input object, hooks and callbacks (eventlet's refer
# to its request handler, which holds the parsed headers and buffers).
KEPT_OBJECTS = frozenset(
    ("flask.app", "saved_session", "werkzeug.proxy_fix.orig", "wsgi.version", "wsgi.errors", "wsgi.multithread",
     "wsgi.multiprocess", "wsgi.run_once")
)  # fmt: skip
_NO_INPUT = io.BytesIO(b"")  # a socket event has no body; shared, it is never read past its end


class ConnectionEnviron(dict):
    """The WSGI environ python-socketio keeps for a connection's life (Flask-SocketIO builds each
    event's request context from it): see `connection_environ`. It does not keep werkzeug's request
    object, which each request context would otherwise leave in it with its parsed headers and
    cookies, the last event's until the next."""

    __slots__ = ()

    def __setitem__(self, key, value):
        if key != "werkzeug.request":
            super().__setitem__(key, value)


def connection_environ(environ) -> ConnectionEnviron:
    """The environ of a connection's handshake, reduced to what its events' request contexts and
    the connect handlers read: the CGI variables (method, path, query string, host, scheme, remote
    address), `KEPT_HEADERS` and `KEPT_OBJECTS`. The same string objects, not copies."""
    kept = ConnectionEnviron()
    for key, value in environ.items():
        if key.startswith("HTTP_") and key not in KEPT_HEADERS:
            continue
        if type(value) is str or key in KEPT_OBJECTS:
            kept[key] = value
    kept["wsgi.input"] = _NO_INPUT
    return kept


class FastSocketIOServer(socketio_pkg.Server):
    """A room broadcast writes one websocket frame, built once, to every direct websocket; each
    connection keeps a reduced environ (`connection_environ`)."""

    def _handle_eio_connect(self, eio_sid, environ):
        return super()._handle_eio_connect(eio_sid, connection_environ(environ))

    def _send_eio_packet(self, eio_sid, eio_pkt):
        sock = self.eio.sockets.get(eio_sid)
        if type(sock) is FastSocket and sock.shares_frames:
            frame = getattr(eio_pkt, "ricemill_ws_frame", None)
            if frame is None:
                frame = eio_pkt.ricemill_ws_frame = ws_frame(_ws_payload(eio_pkt))
            sock.send_frame(frame)
        else:
            super()._send_eio_packet(eio_sid, eio_pkt)


def install(server, *, compression: bool = False, max_detached: int | None = None) -> bool:
    """Switch a python-socketio server in eventlet mode to the fast path; False (untouched) otherwise.
    `compression`: accept permessage-deflate when a client offers it (then each of its frames is
    compressed for it alone). `max_detached`: how many websockets at most the hub reads without a
    green thread (None: no limit)."""
    eio = server.eio
    if eio.async_mode != "eventlet" or type(server) not in (socketio_pkg.Server, FastSocketIOServer):
        return False
    if type(eio) is engineio.Server:
        sockets = eio.__dict__.pop("sockets", {})
        eio.__class__ = FastEngineServer
        eio.sockets = sockets
    if isinstance(eio, FastEngineServer):
        eio.max_detached = max_detached
    if not compression:
        eio._async = dict(eio._async, websocket=_uncompressed_websocket_app())
    server.__class__ = FastSocketIOServer
    return True


# --- one emit for several namespaces ------------------------------------------------------------


class TargetedEmitMixin:
    """For message-queue client managers: a published emit may carry `targets`, a list of
    [namespace, room] pairs, each delivered locally (to rooms that have members here)."""

    def _handle_emit(self, message):
        targets = message.get("targets")
        if not targets:
            return super()._handle_emit(message)
        data = message["data"]
        data = data[0] if len(data) == 1 else tuple(data)
        for namespace, room in targets:
            _deliver_local(self, message["event"], data, namespace, room)


def _has_members(manager, namespace: str, room) -> bool:
    rooms = manager.rooms.get(namespace)
    if not rooms:
        return False
    if room is None:
        return True
    if isinstance(room, str):
        return bool(rooms.get(room))
    return any(rooms.get(name) for name in room)


def _deliver_local(manager, event: str, data, namespace: str, room) -> None:
    if _has_members(manager, namespace, room):
        socketio_pkg.Manager.emit(manager, event, data, namespace, room=room)


def emit_to_rooms(server, event: str, data, targets) -> None:
    """`data` to each (namespace, room) of `targets` (room None: the whole namespace), in one go:
    with a message queue, one message for all of them instead of one per namespace; locally, a
    namespace's room without members here costs nothing (no packet is encoded for it)."""
    manager = server.manager
    targets = [[namespace, room] for namespace, room in targets]
    if isinstance(manager, TargetedEmitMixin) and not socketio_pkg.packet.Packet.data_is_binary([data]):
        message = {
            "method": "emit",
            "event": event,
            "data": [data],
            "binary": False,
            # what a process without `targets` support would do with it: the first target
            "namespace": targets[0][0],
            "room": targets[0][1],
            "skip_sid": None,
            "callback": None,
            "host_id": manager.host_id,
            "targets": targets,
        }
        manager._handle_emit(message)  # this process
        manager._publish(message)  # the others
    elif isinstance(manager, socketio_pkg.PubSubManager):
        for namespace, room in targets:
            manager.emit(event, data, namespace=namespace, room=room)
    else:
        for namespace, room in targets:
            if _has_members(manager, namespace, room):
                manager.emit(event, data, namespace=namespace, room=room)
