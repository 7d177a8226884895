"""`platform:stats` on /admin: mills, users and live connections, at connect and when they change."""

import json
import os
import time

import pytest

from ricemill.auth.roles import Role
from ricemill.realtime.sockets import platform
from tests.factories import make_mill, make_user


def _stats(client, namespace="/admin"):
    return [p["args"][0] for p in client.get_received(namespace) if p["name"] == "platform:stats"]


def test_a_new_admin_gets_the_figures_at_once(connect, users):
    everyone = dict(users)  # the five users made before the figures are read
    operator = connect(users[Role.OPERATOR])
    manager = connect(users[Role.MANAGER])
    again = connect(users[Role.MANAGER])  # a second tab of the same user
    assert not (operator.connect_error or manager.connect_error or again.connect_error)
    admin = connect(users[Role.SUPER_ADMIN], namespace="/admin")
    [stats] = _stats(admin)
    assert stats["connections"] == 3 and stats["connectedUsers"] == 2 and stats["processes"] == 1
    assert stats["mills"] >= 1 and stats["users"] >= len(everyone)


def test_changes_are_pushed_to_the_admins_once(app, connect, users):
    admin = connect(users[Role.SUPER_ADMIN], namespace="/admin")
    _stats(admin)
    platform.push_if_changed(app)
    _stats(admin)
    assert platform.push_if_changed(app) is False  # nothing moved: nothing sent
    assert _stats(admin) == []
    connect(users[Role.OPERATOR])
    assert platform.push_if_changed(app) is True
    [stats] = _stats(admin)
    assert stats["connections"] == 1 and stats["connectedUsers"] == 1


def test_mill_users_never_get_platform_figures(app, connect, users):
    mill_admin = connect(users[Role.MILL_ADMIN])
    mill_admin.get_received("/")
    connect(users[Role.OPERATOR])
    platform.push_if_changed(app)
    assert [p for p in mill_admin.get_received("/") if p["name"] == "platform:stats"] == []


def test_counts_add_up_across_processes_through_redis(app):
    """Another process's fresh entry counts; a stale one (a process that died) does not."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("no Redis")
    channel = f"test-presence-{os.getpid()}"
    original = dict(app.config)
    app.config.update(SOCKETIO_MESSAGE_QUEUE=url, SOCKETIO_CHANNEL=channel, PLATFORM_STATS_INTERVAL_SECONDS=5)
    key = f"{channel}:presence"
    try:
        now = time.time()
        client.hset(key, "other-host:1", json.dumps({"connections": 7, "connectedUsers": 5, "at": now}))
        client.hset(key, "dead-host:2", json.dumps({"connections": 100, "connectedUsers": 90, "at": now - 3600}))
        totals = platform.connection_totals(app)
        mine = platform.local_counts()
        assert totals == {
            "connections": 7 + mine["connections"],
            "connectedUsers": 5 + mine["connectedUsers"],
            "processes": 2,
        }
        assert client.hexists(key, platform.PROCESS_ID)
    finally:
        client.delete(key)
        app.config.clear()
        app.config.update(original)


def test_a_new_mill_shows_in_the_next_figures(app, connect, users):
    admin = connect(users[Role.SUPER_ADMIN], namespace="/admin")
    [before] = _stats(admin)
    make_mill()
    make_user(Role.OPERATOR, make_mill())
    app.config["PLATFORM_STATS_INTERVAL_SECONDS"] = 0
    other = connect(users[Role.SUPER_ADMIN], namespace="/admin")
    [after] = _stats(other)
    assert after["mills"] == before["mills"] + 2 and after["users"] == before["users"] + 1
