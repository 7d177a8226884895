"""Platform figures for the `/admin` namespace: mills, users, and who is connected right now.

A SUPER_ADMIN connecting to `/admin` gets `platform:stats` at once; after that each server process
checks its connection counts every PLATFORM_STATS_INTERVAL_SECONDS and pushes fresh figures to the
admins when they changed. With a Redis message queue every process also publishes its own counts
to a hash, and the totals add up the entries that are fresh, so the figures cover every process.
The payload is a snapshot: when several processes push the same totals, clients just redraw.
"""

import json
import logging
import os
import socket
import time

import sqlalchemy as sa
from flask import Flask

from ...auth.models import User
from ...extensions import db
from ...mills.models import Mill
from ..events import SERVER_EVENTS
from . import emitter, registry
from .periodic import ProcessLoop

log = logging.getLogger(__name__)

PROCESS_ID = f"{socket.gethostname()}:{os.getpid()}"
_last_pushed: dict | None = None


def local_counts() -> dict:
    """Sockets of the default namespace in this process, and the distinct users behind them."""
    sessions = [s for s in registry.all_sessions() if s.namespace == emitter.DEFAULT]
    return {"connections": len(sessions), "connectedUsers": len({s.user_id for s in sessions})}


def _presence_key(app: Flask) -> str:
    return f"{app.config.get('SOCKETIO_CHANNEL') or 'flask-socketio'}:presence"


def connection_totals(app: Flask) -> dict:
    """This process's counts, plus every other process's fresh counts when a Redis queue is shared."""
    local = local_counts()
    url = app.config.get("SOCKETIO_MESSAGE_QUEUE") or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return {**local, "processes": 1}
    import redis

    now = time.time()
    freshness = 3 * app.config["PLATFORM_STATS_INTERVAL_SECONDS"]
    try:
        client = redis.Redis.from_url(url, socket_timeout=1)
        key = _presence_key(app)
        client.hset(key, PROCESS_ID, json.dumps({**local, "at": now}))
        client.expire(key, 24 * 3600)
        entries = [json.loads(raw) for raw in client.hvals(key)]
    except redis.RedisError:
        return {**local, "processes": 1}
    fresh = [entry for entry in entries if now - entry.get("at", 0) <= freshness]
    return {
        "connections": sum(entry["connections"] for entry in fresh),
        "connectedUsers": sum(entry["connectedUsers"] for entry in fresh),  # a user on two processes counts twice
        "processes": len(fresh),
    }


def platform_stats(app: Flask, totals: dict | None = None) -> dict:
    counts = db.session.execute(
        sa.select(
            sa.select(sa.func.count()).select_from(Mill).where(Mill.is_active.is_(True)).scalar_subquery(),
            sa.select(sa.func.count()).select_from(User).where(User.is_active.is_(True)).scalar_subquery(),
        )
    ).one()
    return {"mills": counts[0], "users": counts[1], **(totals or connection_totals(app))}


def send_to_new_admin(app: Flask, sid: str | None = None, namespace: str | None = None) -> None:
    """A new `/admin` socket (right after its CONNECT): the figures, to that socket only."""
    emitter.to_sid(SERVER_EVENTS["PLATFORM_STATS"], platform_stats(app), sid, namespace)
    ensure_loop(app)


def push_if_changed(app: Flask) -> bool:
    """Push fresh figures to the admins when the connection counts moved since the last push."""
    global _last_pushed
    totals = connection_totals(app)
    if totals == _last_pushed:
        return False
    _last_pushed = totals
    emitter.to_admins(SERVER_EVENTS["PLATFORM_STATS"], platform_stats(app, totals))
    return True


_loop = ProcessLoop("Platform stats push", push_if_changed, "PLATFORM_STATS_INTERVAL_SECONDS")


def ensure_loop(app: Flask) -> None:
    """Start this process's periodic check once (lazily, on the first `/admin` connection)."""
    _loop.ensure(app)
