"""Production entry: `gunicorn -k eventlet -w 1 wsgi:app` (one eventlet worker per process)."""

import warnings

# eventlet is the async mode this stack is built on (README, Dependencies); its deprecation notice
# would greet every start with nine lines nobody can act on.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # first; also greens psycopg2 (see app.py)

from ricemill import create_app  # noqa: E402
from ricemill.extensions import socketio  # noqa: E402
from ricemill.realtime.outbox.relay import relay_at_start  # noqa: E402
from ricemill.scheduler import start_scheduler_if_configured  # noqa: E402

app = create_app()
start_scheduler_if_configured(app)
# Events a crash left undispatched go out once at start, as in app.py.
socketio.start_background_task(relay_at_start, app)
