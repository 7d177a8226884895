"""Development entry: `python app.py` serves HTTP and Socket.IO on eventlet."""

import eventlet

# First, before anything imports socket or threading. This also makes psycopg2 cooperative
# (eventlet's psycopg patcher), so a query waiting on a lock never blocks the process:
# tests/test_green.py proves it, and that it stalls without.
eventlet.monkey_patch()

import logging  # noqa: E402

from ricemill import create_app  # noqa: E402
from ricemill.extensions import socketio  # noqa: E402
from ricemill.realtime.outbox.relay import relay_at_start  # noqa: E402
from ricemill.scheduler import start_scheduler_if_configured  # noqa: E402

app = create_app()
log = logging.getLogger("ricemill.server")


def main() -> None:
    host, port = app.config["HOST"], app.config["PORT"]
    start_scheduler_if_configured(app)
    # Events a crash left undispatched go out once at start too, even where no scheduler runs.
    socketio.start_background_task(relay_at_start, app)
    log.info("Server running on port %s", port)
    log.info("Socket.io server ready")
    log.info("Environment: %s", app.config["ENV_NAME"])
    socketio.run(
        app, host=host, port=port, use_reloader=False, log_output=False, max_size=app.config["MAX_CONNECTIONS"]
    )


if __name__ == "__main__":
    main()
