"""The periodic jobs (intervals from config); ricemill/scheduler.py runs them, each in one process.

- `low-stock`: `inventory.low_stock.check_low_stock()` over every mill, every STOCK_CHECK_INTERVAL_SECONDS;
- `relay`: events (`realtime.outbox.relay.relay_undispatched`) and notifications that a crash left
  undispatched, every OUTBOX_RELAY_INTERVAL_SECONDS;
- `purge-events`: events older than EVENT_RETENTION_DAYS, daily (`sync` then answers `sync:reset`);
- `purge-idempotency-keys`: stored answers of retry-safe writes older than 24 h, hourly
  (`common.idempotency.purge_expired`).
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from .common import idempotency
from .extensions import db
from .inventory.low_stock import check_low_stock
from .notifications.service import relay_undispatched as relay_notifications
from .realtime.outbox.models import MillEvent
from .realtime.outbox.relay import relay_undispatched as relay_events

log = logging.getLogger(__name__)

DAY = 24 * 3600


def check_stock_job() -> int:
    found = check_low_stock()
    if found:
        log.info("Low stock: %d stocks in %d mills", len(found), len({item.mill_id for item in found}))
    return len(found)


def relay_job(app: Flask) -> None:
    """Events first (their relay manages its own transactions), then notifications in this one."""
    relay_events(app)
    relay_notifications()


def purge_events_job(app: Flask) -> int:
    cutoff = datetime.now(UTC) - timedelta(days=app.config["EVENT_RETENTION_DAYS"])
    result = db.session.execute(sa.delete(MillEvent).where(MillEvent.created_at < cutoff))
    if result.rowcount:
        log.info("Purged %d events older than %s", result.rowcount, cutoff.date().isoformat())
    return result.rowcount


def job_specs(app: Flask) -> list[tuple[str, float, Callable[[], object]]]:
    """(job id, interval in seconds, body) of every periodic job."""
    cfg = app.config
    return [
        ("low-stock", float(cfg["STOCK_CHECK_INTERVAL_SECONDS"]), check_stock_job),
        ("relay", float(cfg["OUTBOX_RELAY_INTERVAL_SECONDS"]), lambda: relay_job(app)),
        ("purge-events", float(DAY), lambda: purge_events_job(app)),
        ("purge-idempotency-keys", float(idempotency.PURGE_INTERVAL_SECONDS), idempotency.purge_expired),
    ]
