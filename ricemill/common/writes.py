"""The write path of the REST API: the answer is built before the one commit, and stored with it.

`install_write_path(app)` wraps the view of every POST/PUT/PATCH/DELETE route under /api/v1
(except the token routes of /api/v1/auth, which manage their own transactions and whose answers
carry tokens that must not be stored). The wrapped view:

1. checks `Idempotency-Key` (422 when malformed) and, when given, claims it for the user
   (`ricemill.common.idempotency`): a retry gets the stored answer and writes nothing;
2. runs the route, which authorises, calls its service (services flush, never commit) and returns
   its answer; flask-smorest serialises it there, inside the transaction, so nothing is read after
   the commit;
3. on a 2xx answer stores it under the key, then commits once; any other answer rolls back.

So once the commit has succeeded the answer is already made and nothing can turn it into an error:
after-commit work (dispatch, notifications, dashboard pushes) logs its failures, and closing the
session at teardown (`_remove_session`) never raises. If the COMMIT itself fails the answer is the
503 envelope, and the write may or may not have landed: a retry with the same key tells which.

A last net (`EnvelopeOnCrash`, WSGI middleware) turns any exception that escapes Flask for an
/api/ request (a teardown function, say) into the JSON envelope: 503 for a database error, else 500.
Never an HTML page.
"""

import functools
import json
import logging

from flask import Flask, current_app
from flask import request as flask_request
from flask_jwt_extended import current_user, verify_jwt_in_request
from sqlalchemy import bindparam, insert, inspect, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import make_transient_to_detached

from ..extensions import db
from . import idempotency

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/api/v1/"
# Blueprints whose writes are not wrapped: login/refresh and the password change answer tokens (never
# stored under a key), and manage their commits.
EXEMPT_BLUEPRINTS = frozenset({"auth", "account"})
UNAVAILABLE = "Service temporarily unavailable, try again shortly"


def write_view(view):
    """Wrap one view function (idempotent: wrapping twice is a no-op)."""
    if getattr(view, "_ricemill_write", False):
        return view

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if flask_request.method not in WRITE_METHODS:
            return view(*args, **kwargs)
        try:
            return _write(view, args, kwargs)
        except BaseException:
            db.session.rollback()  # every error handler then sees a clean session, and nothing stays claimed
            raise

    wrapper._ricemill_write = True
    return wrapper


def _write(view, args, kwargs):
    key = idempotency.header_key()
    user_id = print_ = None
    if key is not None:
        verify_jwt_in_request()
        user_id = current_user.id
        print_ = idempotency.fingerprint()
        stored = idempotency.claim(user_id, key, print_)
        if stored is not None:
            db.session.rollback()
            return idempotency.replay(stored, print_)
    response = current_app.make_response(view(*args, **kwargs))
    if 200 <= response.status_code < 300:
        if key is not None:
            idempotency.store(user_id, key, response)
        db.session.commit()
    else:
        db.session.rollback()
    return response


# (model class, columns given, subquery completing them, statement around) -> (statement, the others' keys)
_INSERTS: dict[tuple, tuple] = {}


def insert_new(obj, *, completed_from=None, params: dict | None = None, along=None):
    """Insert a new ORM object now and add it to the session as stored, with nothing left to flush.

    The same row as the ORM's flush would write (the columns set on `obj`; the Python and server
    defaults of the others, read back with RETURNING onto `obj`), in one Core INSERT built once per
    model and set of columns: the flush's unit of work cost more than the rest of a purchase's
    statements together. `obj` must be transient and have no relationship to save. Returns the
    row the statement gave, or None when it inserted nothing.

    `completed_from` (a subquery built once, its columns labelled with attribute names of `obj`
    that are not set on it): the row is INSERT ... SELECT from that subquery, its columns taken from
    the subquery's row, in the same statement (a purchase's party found by its identity, say,
    without a round trip of its own). Without a row there nothing is inserted and `obj` stays
    transient.

    `along` (a function, called once per statement shape): given the INSERT ... RETURNING as a CTE,
    it returns the SELECT to run instead, whose row starts with that CTE's columns; its own columns
    follow (a stock movement made in the same statement, say). `params` binds whatever
    `completed_from` and `along` added.
    """
    mapper = inspect(type(obj))
    if completed_from is not None or along is not None:
        _python_defaults(mapper, obj)  # in a CTE or from a SELECT, SQLAlchemy would bind them as NULL
    given = tuple(p.key for p in mapper.column_attrs if p.key in obj.__dict__)
    key = (type(obj), given, completed_from, along)
    cached = _INSERTS.get(key)
    if cached is None:
        cached = _INSERTS[key] = _insert_statement(mapper, given, completed_from, along)
    statement, rest = cached
    values = {mapper.column_attrs[key].columns[0].name: obj.__dict__[key] for key in given}
    if completed_from is not None or along is not None:
        values = {f"new_{name}": value for name, value in values.items()} | (params or {})
    row = db.session.connection().execute(statement, values).one_or_none()
    if row is None:
        return None
    for key, value in zip(rest, row[: len(rest)], strict=True):
        setattr(obj, key, value)
    make_transient_to_detached(obj)
    db.session.add(obj)
    return row


def _python_defaults(mapper, obj) -> None:
    """Set on `obj` the Python-side defaults of the columns it leaves out (as the ORM's flush would)."""
    for prop in mapper.column_attrs:
        default = prop.columns[0].default
        if prop.key in obj.__dict__ or default is None or default.is_sequence or default.is_clause_element:
            continue
        setattr(obj, prop.key, default.arg if default.is_scalar else default.arg(None))


def _insert_statement(mapper, given: tuple, completed_from, along) -> tuple:
    table = mapper.local_table
    rest = tuple(p.key for p in mapper.column_attrs if p.key not in given)
    returning = [mapper.column_attrs[key].columns[0] for key in rest]
    if completed_from is None and along is None:
        return insert(table).returning(*returning), rest
    columns = [mapper.column_attrs[key].columns[0] for key in given]
    binds = [bindparam(f"new_{column.name}", type_=column.type) for column in columns]
    if completed_from is None:
        statement = insert(table).values(dict(zip(columns, binds, strict=True)))
    else:
        taken = [mapper.column_attrs[column.key].columns[0] for column in completed_from.c]
        source = select(*binds, *completed_from.c).select_from(completed_from)
        statement = insert(table).from_select([*columns, *taken], source)
    statement = statement.returning(*returning)
    if along is not None:
        statement = along(statement.cte(f"new_{table.name}"))
    return statement, rest


def wrapped_endpoints(app: Flask) -> list[str]:
    """The endpoints the write path covers."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX) or not (rule.methods or set()) & WRITE_METHODS:
            continue
        if rule.endpoint.split(".", 1)[0] in EXEMPT_BLUEPRINTS:
            continue
        out.append(rule.endpoint)
    return sorted(set(out))


def _remove_session(_exc) -> None:
    """Close the request's session without ever raising: by now the answer is decided (committed
    with its write, or an error that rolled back). Runs before Flask-SQLAlchemy's own removal
    (teardown functions run last-registered first), which then finds nothing to do."""
    try:
        db.session.remove()
    except Exception as error:  # a dead connection: SQLAlchemy has invalidated it
        log.warning("Closing the database session failed: %s", error.__class__.__name__)
        try:
            db.session.registry.clear()
        except Exception:
            log.exception("Clearing the session registry failed")


def _envelope_bytes(status: int, message: str) -> bytes:
    return json.dumps({"success": False, "statusCode": status, "message": message, "errors": []}).encode()


class EnvelopeOnCrash:
    """WSGI middleware: an exception escaping the Flask app on an /api/ path becomes the envelope.

    The app's `start_response` is held back until the app has returned, so that an exception raised
    after the response was made (in a teardown function) can still replace it.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        held: list = []
        returned = False

        def hold(status, headers, exc_info=None):
            if returned:
                return start_response(status, headers, exc_info)
            held[:] = [(status, headers, exc_info)]
            return _no_write

        try:
            body = self.wsgi_app(environ, hold)
        except Exception as error:
            if not environ.get("PATH_INFO", "").startswith("/api/"):
                raise
            database = isinstance(error, OperationalError) or (
                isinstance(error, DBAPIError) and getattr(error, "connection_invalidated", False)
            )
            status, message = (503, UNAVAILABLE) if database else (500, "Internal server error")
            log.error("Error after the response was made on %s: %r", environ.get("PATH_INFO"), error)
            payload = _envelope_bytes(status, message)
            reason = "Service Unavailable" if status == 503 else "Internal Server Error"
            start_response(
                f"{status} {reason}",
                [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
            )
            return [payload]
        returned = True
        if held:
            start_response(*held[0])
        return body


def _no_write(_data) -> None:
    raise RuntimeError("the write() callable is not supported")


def install_write_path(app: Flask) -> None:
    """Wrap the API's write views, close sessions safely, and install the last net. Call once the
    blueprints are registered (and before Socket.IO wraps `wsgi_app`)."""
    for endpoint in wrapped_endpoints(app):
        app.view_functions[endpoint] = write_view(app.view_functions[endpoint])
    app.teardown_appcontext(_remove_session)
    app.wsgi_app = EnvelopeOnCrash(app.wsgi_app)
