"""APScheduler in the web process (single-process deployments) or in `flask ricemill scheduler`."""

import logging

from flask import Flask

from ..extensions import scheduler

log = logging.getLogger(__name__)


def register_jobs(app: Flask) -> None:
    """Add the periodic jobs. Each job runs inside an app context."""
    # Jobs are added by the realtime layer (low-stock check, outbox relay).


def start_scheduler_if_configured(app: Flask) -> bool:
    if not app.config.get("RUN_SCHEDULER") or scheduler.running:
        return False
    register_jobs(app)
    scheduler.start()
    log.info("Scheduler started")
    return True
