"""Development entry: `python app.py` serves HTTP and Socket.IO on eventlet."""

import warnings

# eventlet is the async mode this stack is built on (README, Dependencies); its deprecation notice
# would greet every start with nine lines nobody can act on.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

# First, before anything imports socket or threading. This also makes psycopg2 cooperative
# (eventlet's psycopg patcher), so a query waiting on a lock never blocks the process:
# tests/test_green.py proves it, and that it stalls without.
eventlet.monkey_patch()

import atexit  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402

from ricemill import create_app  # noqa: E402
from ricemill.extensions import socketio  # noqa: E402
from ricemill.realtime.outbox.relay import relay_at_start  # noqa: E402
from ricemill.scheduler import start_scheduler_if_configured, stop_scheduler  # noqa: E402

app = create_app()
log = logging.getLogger("ricemill.server")


def _shutdown(signum: int) -> None:
    log.info("Stopping (%s)", signal.Signals(signum).name)
    stop_scheduler()
    atexit._run_exitfuncs()  # the embedded PostgreSQL stops here when this was its last user
    os._exit(0)


def _exit_on_signal(signum, frame):
    """SIGTERM (systemd, docker, kill) and Ctrl-C: shut down in a green thread of its own.

    Python runs a signal handler in whichever greenlet is current (the hub, a job's, a request's);
    an exception raised there ends only that greenlet, and the scheduler's threads would keep the
    process alive. A fresh green thread can block (pg_ctl stop) where the handler cannot."""
    eventlet.spawn(_shutdown, signum)


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - only for display
    return f"http://{shown}:{port}"


def main() -> None:
    host, port = app.config["HOST"], app.config["PORT"]
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, _exit_on_signal)
    start_scheduler_if_configured(app)
    # Events a crash left undispatched go out once at start too, even where no scheduler runs.
    socketio.start_background_task(relay_at_start, app)
    log.info("Server running on port %s", port)
    log.info("Socket.io server ready")
    log.info("Environment: %s", app.config["ENV_NAME"])
    log.info("ricemill is running on %s (Ctrl-C to stop)", _url(host, port))  # the last line: where to go
    try:
        socketio.run(
            app, host=host, port=port, use_reloader=False, log_output=False, max_size=app.config["MAX_CONNECTIONS"]
        )
    finally:
        # the scheduler's worker threads would otherwise keep the interpreter from exiting, and the
        # atexit handlers (the embedded PostgreSQL's stop among them) from running
        stop_scheduler()


if __name__ == "__main__":
    main()
