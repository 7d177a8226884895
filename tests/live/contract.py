"""Python clients of the live servers that see the wire in order and follow the delivery contract.

- `WireClient`: a python-socketio client that also records every Socket.IO packet in the order it
  arrived (python-socketio runs each message's handler in a thread of its own, so handlers alone
  cannot tell the order).
- `ContractClient`: docs/realtime-client.md as a python client: `lastSeq` = the highest seq with no
  gap below it; events deduplicated by seq; `sync {millId, lastSeq}` on (re)connect, on a gap open
  1 s, on `mill:position` above `lastSeq`; `sync:done {seq}` lifts `lastSeq` to at least `seq`.
  It records when each seq was first applied and how many copies came, for the figures.
"""

import threading
import time

import engineio
import socketio as socketio_client

from ricemill.realtime.events import MILL_EVENT_NAMES

GAP_SYNC_SECONDS = 1.0
SYNC_RETRY_SECONDS = 5.0


class WireClient(socketio_client.Client):
    def __init__(self, *args, **kwargs):
        self.wire: list[str] = []  # raw Socket.IO packets (engine.io MESSAGE payloads), in arrival order
        wire = self.wire

        class RecordingEngineIO(engineio.Client):
            def _receive_packet(self, pkt):
                if pkt.packet_type == engineio.packet.MESSAGE and isinstance(pkt.data, str):
                    wire.append(pkt.data)  # the read loop: one thread, arrival order
                super()._receive_packet(pkt)

        self._recording_class = RecordingEngineIO
        super().__init__(*args, **kwargs)  # creates the engine.io client

    def _engineio_client_class(self):
        return self._recording_class


def packets_before_connect(wire: list[str], namespace: str = "/") -> list[str]:
    """The packets of `namespace` that arrived before its (first) CONNECT packet."""
    prefix = "" if namespace == "/" else namespace + ","
    early = []
    for raw in wire:
        kind, body = raw[:1], raw[1:]
        if namespace != "/":
            if not body.startswith(prefix):
                continue
        elif body.startswith("/"):
            continue  # another namespace's packet
        if kind == "0":
            return early
        early.append(raw)
    return early


class ContractClient:
    """One socket of a mill that keeps every event exactly once (the contract)."""

    def __init__(self, url: str, token: str, mill_id: str, *, namespace: str = "/", last_seq: int = 0):
        self.url, self.token, self.mill_id, self.namespace = url, token, mill_id, namespace
        self.base = last_seq
        self.last_seq = last_seq
        self.applied: dict[int, float] = {}  # seq -> monotonic time first applied
        self.top = last_seq  # the highest seq applied
        self.copies = 0  # events of a seq already applied (replays, redeliveries)
        self.syncs = 0
        self.resets: list[int] = []
        self.positions = 0
        self.lock = threading.Lock()
        self.gap_since: float | None = None
        self.sync_sent: float | None = None
        self.stop = threading.Event()
        self.sio = WireClient(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1.0,
                              randomization_factor=0)  # fmt: skip
        self.sio.on("connect", self._on_connect, namespace=namespace)
        self.sio.on("disconnect", self._on_disconnect, namespace=namespace)
        self.sio.on("*", self._on_event, namespace=namespace)
        auth = {"token": token} if namespace == "/" else {"token": token, "millId": mill_id}
        self.sio.connect(url, auth=auth, namespaces=[namespace], transports=["websocket"], wait_timeout=10)
        self.ticker = threading.Thread(target=self._tick, daemon=True)
        self.ticker.start()

    # --- the contract ---
    def _send_sync(self) -> None:
        with self.lock:
            self.sync_sent = time.monotonic()
            self.syncs += 1
            last = self.last_seq
        try:
            self.sio.emit("sync", {"millId": self.mill_id, "lastSeq": last}, namespace=self.namespace)
        except Exception:  # not connected: the reconnection sends one
            with self.lock:
                self.sync_sent = None

    def _advance(self) -> None:
        while self.last_seq + 1 in self.applied:
            self.last_seq += 1
        if self.top > self.last_seq:  # applied events above a gap
            self.gap_since = self.gap_since or time.monotonic()
        else:
            self.gap_since = None

    def _on_connect(self):
        with self.lock:
            self.sync_sent = None
        self._send_sync()

    def _on_disconnect(self, *_args):
        with self.lock:
            self.sync_sent = None

    def _on_event(self, name, payload=None):
        sync = False
        with self.lock:
            if not isinstance(payload, dict) or payload.get("millId") != self.mill_id:
                return
            seq = payload.get("seq")
            if name in MILL_EVENT_NAMES:
                if seq in self.applied or seq <= self.base:
                    self.copies += 1
                else:
                    self.applied[seq] = time.monotonic()
                    self.top = max(self.top, seq)
                    self._advance()
            elif name == "mill:position":
                self.positions += 1
                sync = seq > self.last_seq and self.sync_sent is None
            elif name == "sync:done":
                self.sync_sent = None
                self.last_seq = max(self.last_seq, seq)
                self._advance()
            elif name == "sync:reset":
                self.sync_sent = None
                self.resets.append(seq)
                self.last_seq = seq
                self._advance()
        if sync:
            self._send_sync()

    def _tick(self) -> None:
        while not self.stop.wait(0.1):
            now = time.monotonic()
            with self.lock:
                due = self.sio.connected and (
                    (self.sync_sent is None and self.gap_since is not None and now - self.gap_since >= GAP_SYNC_SECONDS)
                    or (self.sync_sent is not None and now - self.sync_sent >= SYNC_RETRY_SECONDS)
                )
            if due:
                self._send_sync()

    # --- for the test ---
    def missing(self, upto: int) -> list[int]:
        with self.lock:
            return [seq for seq in range(self.base + 1, upto + 1) if seq not in self.applied]

    def close(self) -> None:
        self.stop.set()
        try:
            self.sio.disconnect()
        except Exception:  # noqa: S110 - already gone
            pass
        for resource in (getattr(self.sio.eio, "http", None), getattr(self.sio.eio, "ws", None)):
            if resource is not None:
                try:
                    resource.close()
                except Exception:  # noqa: S110
                    pass
