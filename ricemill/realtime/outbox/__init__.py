"""The transactional outbox: `publish()` in the writer's transaction, stored at commit with a
gapless per-mill seq, dispatched after commit, relayed after a crash, replayed by `sync`.
See docs/realtime.md."""

from . import store  # noqa: F401 - registers the session listeners that store and dispatch
from .publish import PendingEvent, after_commit, pending_events, publish, publish_document_event
from .store import with_events

__all__ = ["PendingEvent", "after_commit", "pending_events", "publish", "publish_document_event", "with_events"]
