"""A job every few seconds in THIS process (never once across processes, as the scheduler's jobs are):
the mill positions and the platform figures describe the sockets each process holds."""

import logging
import threading
from collections.abc import Callable

from flask import Flask

from ...extensions import db, socketio

log = logging.getLogger(__name__)


class ProcessLoop:
    """Runs `job(app)` every `app.config[interval_setting]` seconds, started once, lazily (on the first
    socket that needs it); an interval of 0 never starts it. A failing run is logged and the next one
    tries again."""

    def __init__(self, name: str, job: Callable[[Flask], None], interval_setting: str):
        self.name = name
        self.job = job
        self.interval_setting = interval_setting
        self._lock = threading.Lock()
        self._started = False

    def ensure(self, app: Flask) -> None:
        interval = app.config.get(self.interval_setting) or 0
        with self._lock:
            if self._started or interval <= 0:
                return
            self._started = True
        socketio.start_background_task(self._run, app, interval)

    def _run(self, app: Flask, interval: float) -> None:
        while True:
            socketio.sleep(interval)
            with app.app_context():
                try:
                    self.job(app)
                except Exception:  # the database or the queue away for a moment: next time
                    log.warning("%s failed", self.name, exc_info=True)
                finally:
                    db.session.remove()
