"""`python app.py` plus test-only routes that broadcast to a mill's rooms (tests/live/test_broadcast_fast_path.py).

The product emits only its own events; these routes send numbered `test:tick` events through the
same path (`fastpath.emit_to_rooms`, as `emitter.to_mill` does), so a test can check order,
completeness and binary payloads. Run by the live tests' Server with `script=` this file.
"""

import eventlet

eventlet.monkey_patch()

import os  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from flask import request  # noqa: E402

import app as product  # noqa: E402
from ricemill.extensions import socketio  # noqa: E402
from ricemill.realtime.sockets import emitter  # noqa: E402
from ricemill.realtime.sockets.fastpath import emit_to_rooms  # noqa: E402

app = product.app
STREAM = {"running": False, "sent": 0}


def tick(mill_id: str, i: int, blob_size: int = 0, pad: int = 0) -> None:
    payload = {"i": i, "millId": mill_id, "pad": "x" * pad}
    if blob_size:
        payload["blob"] = bytes((i + k) % 256 for k in range(blob_size))
    room = emitter.mill_room(mill_id)
    emit_to_rooms(socketio.server, "test:tick", payload, [(emitter.DEFAULT, room), (emitter.MILL, room)])


@app.post("/test/emit")
def emit_burst():
    body = request.get_json()
    count, blob, pad = int(body["count"]), int(body.get("blob", 0)), int(body.get("pad", 0))
    for i in range(count):
        tick(body["millId"], i, blob, pad)
        if (i + 1) % 50 == 0:
            eventlet.sleep(0)  # let other green threads run, as a busy server would
    return {"emitted": count}


def _stream(mill_id: str) -> None:
    while STREAM["running"]:
        tick(mill_id, STREAM["sent"])
        STREAM["sent"] += 1
        eventlet.sleep(0.002)  # paces the stream (no assertion depends on it)


@app.post("/test/stream/start")
def stream_start():
    STREAM.update(running=True, sent=0)
    socketio.start_background_task(_stream, request.get_json()["millId"])
    return {"started": True}


@app.post("/test/stream/stop")
def stream_stop():
    STREAM["running"] = False
    eventlet.sleep(0.05)  # the stream's current tick finishes
    return {"sent": STREAM["sent"]}


@app.get("/test/fastpath")
def fastpath_state():
    """Which Engine.IO socket class each connection has, how it is read and written, and the green
    threads alive."""
    import gc

    import greenlet

    from ricemill.realtime.sockets.fastpath import FastSocket

    eio = socketio.server.eio
    return {
        "server": type(socketio.server).__name__,
        "sockets": {sid: type(sock).__name__ for sid, sock in eio.sockets.items()},
        "direct": sum(1 for sock in eio.sockets.values() if getattr(sock, "_direct", False)),
        # read by a hub listener, no green thread of their own
        "detached": sum(1 for sock in eio.sockets.values() if getattr(sock, "_reader", None) is not None),
        "detached_count": getattr(eio, "detached", None),
        "backlogs_started": FastSocket.backlogs_started,
        "greenlets": sum(1 for o in gc.get_objects() if issubclass(type(o), greenlet.greenlet)),
    }


if __name__ == "__main__":
    product.main()
