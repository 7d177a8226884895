"""Retry-safe writes: the `Idempotency-Key` header of POST/PATCH/DELETE under /api/v1.

A client that may retry a write (a timeout, a 503, a dropped connection) sends one key per intended
write, 1-128 visible ASCII characters, and the same key with the same request on every retry.

- The first request with a key claims it: a row `(user, key)` is inserted at the start of its
  transaction, and its answer (status and body, exactly as sent) is written into that row just before
  the one commit. The answer and the write commit together, or neither does.
- A retry with the same key and the same request (method, path, query and body; JSON compared
  parsed, so whitespace and key order do not matter) gets the stored answer again, with the header
  `Idempotent-Replayed: true`, and writes nothing.
- The same key with a different request: 422.
- Two requests with the same key at once: the second one's INSERT waits on the unique key until the
  first one's transaction ends (PostgreSQL's unique index does the waiting, no polling); then it
  replays the first one's answer, or, if the first one rolled back, it does the write itself. So
  concurrent duplicates make one document and get the same answer.
- Only 2xx answers are stored: an error rolls back the write and the claim with it, so a retry runs
  again (nothing was written). A row left without an answer (a route that committed by itself and
  then failed) answers 409 until it is purged.
- Keys are kept `KEY_LIFETIME` (24 h) and purged by the scheduler job `purge-idempotency-keys`.
"""

import hashlib
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Response, request
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .errors import Conflict, Invalid

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 128
KEY_LIFETIME = timedelta(hours=24)
PURGE_INTERVAL_SECONDS = 3600


class IdempotencyKey(db.Model):
    """One client key of one user, with the answer of the write it made."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.Index("ix_idempotency_keys_created_at", "created_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(MAX_KEY_LENGTH), primary_key=True)
    # sha256 of the request (method, path, query, body)
    fingerprint: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    status_code: Mapped[int | None] = mapped_column(sa.SmallInteger)
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


def header_key() -> str | None:
    """The request's key, checked: None when absent, Invalid (422) when malformed."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all("\x21" <= ch <= "\x7e" for ch in key):
        raise Invalid(
            f"Invalid {HEADER}",
            errors=[{"field": HEADER, "message": f"1 to {MAX_KEY_LENGTH} visible ASCII characters (no spaces)"}],
        )
    return key


def fingerprint() -> str:
    """What makes two requests "the same": method, path, query string and body (JSON compared parsed)."""
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except ValueError:
        body = raw
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.query_string, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def claim(user_id, key: str, print_: str):
    """Claim `key` for this request in the current transaction.

    Returns None when this request owns the key (it does the write), else the stored row
    (status_code, response_body, fingerprint) of the request that did. Waits while another
    transaction holds the same key.
    """
    table = IdempotencyKey.__table__
    won = db.session.execute(
        pg_insert(table)
        .values(user_id=user_id, key=key, fingerprint=print_)
        .on_conflict_do_nothing(index_elements=[table.c.user_id, table.c.key])
        .returning(table.c.key)
    ).first()
    if won is not None:
        return None
    stored = db.session.execute(
        sa.select(table.c.status_code, table.c.response_body, table.c.fingerprint).where(
            table.c.user_id == user_id, table.c.key == key
        )
    ).first()
    if stored is None:  # purged in between: rare; the client tries again
        raise Conflict(f"This {HEADER} is being processed; try again")
    return stored


def replay(stored, print_: str) -> Response:
    """The stored answer of a key, or why it cannot be given."""
    if stored.fingerprint != print_:
        raise Invalid(
            f"This {HEADER} was used for a different request",
            errors=[{"field": HEADER, "message": "already used with another method, path or body"}],
        )
    if stored.status_code is None:
        raise Conflict(f"The request with this {HEADER} did not finish; use a new key")
    response = Response(stored.response_body, status=stored.status_code, mimetype="application/json")
    response.headers[REPLAYED_HEADER] = "true"
    return response


def store(user_id, key: str, response: Response) -> None:
    """Write the answer into the claimed row (the caller commits)."""
    table = IdempotencyKey.__table__
    db.session.execute(
        sa.update(table)
        .where(table.c.user_id == user_id, table.c.key == key)
        .values(status_code=response.status_code, response_body=response.get_data(as_text=True))
    )


def purge_expired(now: datetime | None = None) -> int:
    """Delete keys older than KEY_LIFETIME (the scheduler job; it commits). Returns how many."""
    cutoff = (now or datetime.now(UTC)) - KEY_LIFETIME
    result = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    if result.rowcount:
        log.info("Purged %d idempotency keys", result.rowcount)
    return result.rowcount
