"""Real server processes (`python app.py`, eventlet) on the test database, and real clients.

Each server gets its own port and log file; every process is killed by the fixture's finalizer.
Tokens are signed in the test process with the servers' JWT secret (the JS flow logs in over REST).
"""

import contextlib
import gc
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import pytest
import requests
import socketio as socketio_client
from flask_jwt_extended import create_access_token

from tests.waiting import wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JWT_SECRET = "live-tests-jwt-secret-0123456789abcdef0123456789"
ALLOWED_ORIGIN = "http://allowed.example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


wait_for = wait_until  # the name the live tests use


class Server:
    """One `python app.py` process."""

    def __init__(self, database_url: str, port: int | None = None, script: str = "app.py", **env):
        self.script = script
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        handle, self.log_path = tempfile.mkstemp(prefix="ricemill-live-", suffix=".log")
        os.close(handle)
        defaults = dict(
            RICEMILL_ENV="development",
            DATABASE_URL=database_url,
            HOST="127.0.0.1",
            PORT=str(self.port),
            JWT_SECRET_KEY=JWT_SECRET,
            SECRET_KEY="live-tests-secret",
            CLIENT_URL=ALLOWED_ORIGIN,
            OUTBOX_RELAY_INTERVAL_SECONDS="1",
            RUN_SCHEDULER="true",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        self.env = {**os.environ, **defaults, **{key: str(value) for key, value in env.items()}}
        self.proc = None
        self.log_start = 0
        self.start()

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, self.script], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.output()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=0.5).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start:\n{self.output()}")

    def log_from_here(self):
        """output() from now on: a test sharing this server reads its own part of the log."""
        self.log_start = os.path.getsize(self.log_path)

    def output(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as fh:
            fh.seek(self.log_start)
            return fh.read()[-20000:]

    def kill(self):
        """As a crash: SIGKILL, no clean-up."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()


def _stop_all(servers):
    for server in servers:
        server.stop()
        os.unlink(server.log_path)


@pytest.fixture(scope="module")
def _kept_servers():
    """The servers a module's tests share, by script and settings; all stopped after the module."""
    kept: dict[tuple, list[Server]] = {}
    yield kept
    for group in kept.values():
        _stop_all(group)


@pytest.fixture
def servers(database_urls, _kept_servers):
    """servers(**env) -> a running Server.

    A start costs about 2 s of CPU, so the tests of a module share their servers: a test's n-th call
    with a script and settings gets the n-th such server of the module if it still runs (a test may
    kill its own), else a new one. Each test reads the log from its own first call on (`output()`);
    its tables are emptied after it (committed), and each test makes its mills and users afresh.
    Servers of other settings are stopped first: their background jobs (the outbox relay...) would
    work on this test's rows too."""
    taken: dict[tuple, int] = {}

    def start(script="app.py", **env):
        key = (script, tuple(sorted((name, str(value)) for name, value in env.items())))
        for other in [k for k in _kept_servers if k != key and k not in taken]:
            _stop_all(_kept_servers.pop(other))
        group = _kept_servers.setdefault(key, [])
        n = taken[key] = taken.get(key, 0) + 1
        if len(group) >= n and group[n - 1].proc.poll() is None:
            server = group[n - 1]
            server.log_from_here()
            return server
        server = Server(database_urls["test"], script=script, **env)
        if len(group) >= n:
            os.unlink(group[n - 1].log_path)
            group[n - 1] = server
        else:
            group.append(server)
        return server

    return start


@pytest.fixture
def live_app(app):
    """The test process's app with the servers' JWT secret, for signing tokens."""
    previous = app.config["JWT_SECRET_KEY"]
    app.config["JWT_SECRET_KEY"] = JWT_SECRET
    yield app
    app.config["JWT_SECRET_KEY"] = previous


def token(app, user, **kwargs) -> str:
    with app.app_context():
        return create_access_token(identity=str(user.id), **kwargs)


class Client:
    """A python-socketio client that records every event it receives."""

    def __init__(
        self,
        url,
        token=None,
        *,
        namespace="/",
        auth=None,
        headers=None,
        query=None,
        expect_refusal=False,
        transports=("websocket",),
        **options,
    ):
        self.sio = socketio_client.Client(reconnection=options.pop("reconnection", False), **options)
        # python-engineio's client runs each message's handlers on a thread of its own, so on a loaded
        # machine they can record out of the order the packets came in: these record in wire order.
        deliver = self.sio.eio._trigger_event

        def in_wire_order(event, *args, **kwargs):
            if event == "message":
                kwargs["run_async"] = False
            return deliver(event, *args, **kwargs)

        self.sio.eio._trigger_event = in_wire_order
        self.events: list[tuple[str, object]] = []
        self.lock = threading.Lock()
        self.error = None
        self.disconnected = threading.Event()
        self.namespace = namespace

        @self.sio.on("*", namespace=namespace)
        def any_event(event, *args):
            with self.lock:
                self.events.append((event, args[0] if args else None))

        @self.sio.on("connect_error", namespace=namespace)
        def connect_error(data):
            self.error = data

        @self.sio.on("disconnect", namespace=namespace)
        def disconnect(*_args):
            self.disconnected.set()

        auth = auth if auth is not None else ({"token": token} if token else None)
        target = url + (f"?{query}" if query else "")
        self.refusal = None
        try:
            self.sio.connect(
                target, auth=auth, headers=headers or {}, namespaces=[namespace], transports=list(transports),
                wait_timeout=5,
            )  # fmt: skip
        except socketio_client.exceptions.ConnectionError as error:
            if not expect_refusal:
                raise
            self.refusal = self.error or str(error)

    def of(self, name):
        with self.lock:
            return [payload for event, payload in self.events if event == name]

    def wait_event(self, name, count=1, timeout=10.0):
        return wait_for(lambda: len(self.of(name)) >= count and self.of(name), timeout, message=f"{count} x {name}")

    def emit(self, event, data=None, timeout=5.0):
        return self.sio.call(event, data, namespace=self.namespace, timeout=timeout)

    def close(self):
        with contextlib.suppress(Exception):  # already gone
            self.sio.disconnect()
        # python-engineio leaves its HTTP session (long-polling) and a server-dropped websocket open
        for resource in (getattr(self.sio.eio, "http", None), getattr(self.sio.eio, "ws", None)):
            if resource is not None:
                with contextlib.suppress(Exception):
                    resource.close()


@pytest.fixture
def clients():
    made = []

    def make(*args, **kwargs):
        client = Client(*args, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
    del made[:]
    gc.collect()  # sockets engineio leaves behind are reported here, under the live tests' filters


def refused(url, **kwargs):
    """What a refused connection attempt got: the connect_error data, or the transport's error."""
    client = Client(url, expect_refusal=True, **kwargs)
    assert client.refusal is not None, "the connection was accepted"
    client.close()
    return client.refusal


def redis_url(db: int = 5) -> str | None:
    """TEST_REDIS_URL (default local), or None when unreachable (a failure with CI=true)."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{db}")
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            raise
        return None
    finally:
        client.close()
    return url


def unique_channel() -> str:
    return f"ricemill-test-{uuid.uuid4().hex[:8]}"
