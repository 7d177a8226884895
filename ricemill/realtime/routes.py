"""The event names and payload contracts for the browser, served from `events.py` (one source of
truth, no copied JS file). `MILL_EVENTS` lists the mill events (those that count for a client's
lastSeq); `PAYLOADS` describes each event's payload: its fields with their type,
required and nullable flags (and nested fields), as `describe_events()` builds them.

Public (no token): the names are not secret, and pages load them before they have a socket.
"""

import json

from flask import Blueprint, Response, jsonify

from .events import CLIENT_EVENTS, MILL_EVENT_NAMES, SERVER_EVENTS, describe_events

blp = Blueprint("realtime", __name__, url_prefix="/realtime")


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
    body = f"window.RICEMILL_EVENTS = Object.freeze({names});\n"
    response = Response(body, mimetype="application/javascript")
    response.cache_control.max_age = 300
    return response
