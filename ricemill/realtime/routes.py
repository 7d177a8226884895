"""The event names and payload contracts for the browser, served from `events.py` (one source of
truth, no copied JS file). `MILL_EVENTS` lists the mill events (those that count for a client's
lastSeq); `PAYLOADS` describes each event's payload: its fields with their type,
required and nullable flags (and nested fields), as `describe_events()` builds them.

Public (no token): the names are not secret, and pages load them before they have a socket.
"""

import json

from flask import Blueprint, Response, current_app, jsonify

from .events import CLIENT_EVENTS, MILL_EVENT_NAMES, SERVER_EVENTS, describe_events

blp = Blueprint("realtime", __name__, url_prefix="/realtime")

# The delivery contract, at the head of events.js (the full text: docs/realtime-client.md).
CONTRACT = """/* ricemill live events: the name and payload contract of every Socket.IO event (docs/realtime.md).

Delivery contract (docs/realtime-client.md). Every mill event (MILL_EVENTS) carries {millId, seq}: seq
is the mill's event number, gapless and in commit order.
- Keep lastSeq = the highest seq of your mill with no gap below it. Apply each seq once (drop one
  already applied: delivery is at least once); an event above a gap is applied but does not move lastSeq.
- Send `sync {millId, lastSeq}` on every (re)connection, when a gap is still open 1 s after it was
  seen, and when `mill:position {millId, seq}` comes with seq > lastSeq. One sync in flight at a time;
  one unanswered for 5 s may be sent again. `/` and `/mill` both answer it.
- The server replays every event with seq > lastSeq, in order, then `sync:done {millId, seq}`:
  lastSeq becomes at least seq. `sync:reset {millId, seq}`: reload over REST, lastSeq = seq.
- Heartbeat: right after its CONNECT, and every %(interval)s, each server process sends
  `mill:position {millId, seq}` (the mill's last committed event) to its sockets of every mill, on `/`
  and `/mill`; so a client that missed anything, by any cause, catches up within one interval.
- Nothing is sent to a socket before its CONNECT packet.
*/
"""


def _contract() -> dict:
    return {
        "SERVER_EVENTS": SERVER_EVENTS,
        "CLIENT_EVENTS": CLIENT_EVENTS,
        "MILL_EVENTS": sorted(MILL_EVENT_NAMES),  # the events that carry the mill's seq (live.js)
        "PAYLOADS": describe_events(),
    }


@blp.get("/events.json")
def events_json():
    return jsonify(_contract())


@blp.get("/events.js")
def events_js():
    names = json.dumps(_contract(), indent=2)
    seconds = current_app.config.get("POSITION_INTERVAL_SECONDS") or 0
    interval = f"{seconds} s" if seconds > 0 else "POSITION_INTERVAL_SECONDS (set to 0 here: on connect only)"
    body = CONTRACT % {"interval": interval} + f"window.RICEMILL_EVENTS = Object.freeze({names});\n"
    response = Response(body, mimetype="application/javascript")
    response.cache_control.max_age = 300
    return response
