"""The scheduler wiring: the periodic jobs (ricemill/jobs.py) in the web process (single-process
deployments) or in `flask ricemill scheduler`.

Exactly one runner: several server processes may each run this scheduler. Every job run first takes
`pg_try_advisory_xact_lock` on a connection of its own; whoever does not get it skips the run. All
processes fire at the same wall-clock moments (intervals are counted from a fixed epoch), so their
runs meet at the lock; the winner keeps the lock for a quiet period (half the interval, at most 30 s)
so that a process whose clock or wake-up is a little late skips too instead of running again.
"""

import logging
import os
import threading
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from .extensions import db, scheduler
from .jobs import job_specs

log = logging.getLogger(__name__)

# Advisory lock namespace (first int4 of the two-key form): "RICE".
LOCK_CLASS = 0x52494345
# Runs of every process line up on multiples of the interval counted from here.
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
MAX_QUIET_SECONDS = 30.0
# Set on shutdown: a run waiting out its quiet period lets go at once.
stopping = threading.Event()


def lock_key(job: str) -> int:
    return zlib.crc32(job.encode()) & 0x7FFFFFFF


def run_exclusively(app: Flask, job: str, body: Callable[[], object], *, quiet_seconds: float = 0.0) -> bool:
    """Run `body()` in an app context unless another process (or thread) is running `job` now.

    Returns True when this call ran it. `body` works in `db.session`; it is committed when `body`
    returns and rolled back when it raises (the error is logged: a job never kills the scheduler).
    """
    with app.app_context():
        with db.engine.connect() as lock_conn, lock_conn.begin():
            got = lock_conn.execute(sa.select(sa.func.pg_try_advisory_xact_lock(LOCK_CLASS, lock_key(job)))).scalar()
            if not got:
                log.debug("Job %s is running elsewhere; skipped", job)
                return False
            started = time.monotonic()
            try:
                body()
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("Job %s failed", job)
            finally:
                db.session.remove()
            rest = quiet_seconds - (time.monotonic() - started)
            if rest > 0:
                stopping.wait(rest)  # still holding the lock: late peers skip this run
        return True


def register_jobs(app: Flask, target=None) -> None:
    """Add the periodic jobs to `target` (default: the app's `scheduler`)."""
    target = target or scheduler
    for job, interval, body in job_specs(app):
        target.add_job(
            run_exclusively,
            IntervalTrigger(seconds=interval, start_date=EPOCH),
            args=(app, job, body),
            kwargs={"quiet_seconds": min(interval / 2, MAX_QUIET_SECONDS)},
            id=job,
            name=job,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(interval / 2)),
        )


def _reloader_parent() -> bool:
    """True in the Werkzeug reloader's watcher process (`flask run` in debug), which only restarts
    the real server: the scheduler belongs in its child (WERKZEUG_RUN_MAIN=true), else it would run
    twice. `python app.py` runs without the reloader and is not affected."""
    return os.environ.get("FLASK_RUN_FROM_CLI") == "true" and os.environ.get("WERKZEUG_RUN_MAIN") != "true"


def start_scheduler_if_configured(app: Flask) -> bool:
    """Start the in-process scheduler once: not with RUN_SCHEDULER=false, not twice, not in the
    reloader's watcher process. Returns True when this call started it."""
    if not app.config.get("RUN_SCHEDULER"):
        log.info("Scheduler not started (RUN_SCHEDULER is false)")
        return False
    if scheduler.running:
        return False
    if app.debug and _reloader_parent():
        return False
    register_jobs(app)
    stopping.clear()
    scheduler.start()
    log.info("Scheduler started")
    return True


def stop_scheduler() -> None:
    stopping.set()
    if scheduler.running:
        scheduler.shutdown(wait=False)
