"""The event names for the browser, served from `events.py` (one source of truth, no copied JS file).

Public (no token): the names are not secret, and pages load them before they have a socket.
"""

import json

from flask import Blueprint, Response, jsonify

from .events import CLIENT_EVENTS, SERVER_EVENTS

blp = Blueprint("realtime", __name__, url_prefix="/realtime")


@blp.get("/events.json")
def events_json():
    return jsonify({"SERVER_EVENTS": SERVER_EVENTS, "CLIENT_EVENTS": CLIENT_EVENTS})


@blp.get("/events.js")
def events_js():
    names = json.dumps({"SERVER_EVENTS": SERVER_EVENTS, "CLIENT_EVENTS": CLIENT_EVENTS}, indent=2)
    body = f"window.RICEMILL_EVENTS = Object.freeze({names});\n"
    response = Response(body, mimetype="application/javascript")
    response.cache_control.max_age = 300
    return response
