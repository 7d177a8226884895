"""Hostile input at the door: body size, JSON shape, security headers and trusted proxies.

- A body over `MAX_CONTENT_LENGTH` is answered 413 before anything reads it.
- A JSON body is parsed once here, safely, before any route sees it: nesting deeper than
  `JSON_MAX_DEPTH`, more than `JSON_MAX_VALUES` values in all, a number longer than
  `JSON_MAX_NUMBER_LENGTH` characters or malformed JSON answer a 400 envelope; NaN, Infinity or
  an overflowing number a 422 naming the field.
  (Python's json module raises RecursionError on deep nesting and int() refuses over 4,300 digits;
  both are caught or bounded here, and the value count bounds what validation can cost.)
- `X-Content-Type-Options: nosniff` on every response; `Cache-Control: no-store` on API answers.
- werkzeug's ProxyFix only when `PROXY_FIX_X_FOR`/`_PROTO`/`_HOST` say how many proxies to trust.
"""

import json
import logging
import math
import os

from flask import Flask, g, has_request_context, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge

from .common.errors import DomainError, Invalid

_frame_log = logging.getLogger("ricemill.realtime.frames")


class BadJSON(DomainError):
    status_code = 400
    default_message = "Invalid JSON body"


class _Refused(Exception):
    """Raised from inside json.loads by a bounded number hook."""


def _limits() -> tuple[int, int, int]:
    from flask import current_app

    cfg = current_app.config
    return cfg["JSON_MAX_DEPTH"], cfg["JSON_MAX_VALUES"], cfg["JSON_MAX_NUMBER_LENGTH"]


def safe_loads(data, *, max_depth: int, max_values: int, max_number_length: int):
    """json.loads that cannot crash or run away; raises BadJSON with a message saying why."""

    def bounded_int(text: str) -> int:
        if len(text) > max_number_length:
            raise _Refused(f"A number may have at most {max_number_length} digits")
        return int(text)

    def bounded_float(text: str) -> float:
        if len(text) > max_number_length:
            raise _Refused(f"A number may have at most {max_number_length} characters")
        return float(text)

    # Before parsing: a body with as many commas as values allowed cannot be within the limit
    # (short of strings full of commas, which no field allows). Counting costs ~1 ms a MiB;
    # parsing 80,000 keys to find that out cost 200 ms of the one event loop.
    commas = data.count(b"," if isinstance(data, (bytes, bytearray)) else ",")
    if commas >= max_values:
        raise BadJSON(f"Invalid JSON body: more than {max_values} values")
    if isinstance(data, (bytes, bytearray)):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise BadJSON("Invalid JSON body: not UTF-8") from None
    try:
        value = json.loads(data, parse_int=bounded_int, parse_float=bounded_float)
    except RecursionError:
        raise BadJSON(f"Invalid JSON body: nested deeper than {max_depth} levels") from None
    except _Refused as refused:
        raise BadJSON(f"Invalid JSON body: {refused}") from None
    except ValueError:  # JSONDecodeError and friends
        raise BadJSON("Invalid JSON body") from None
    _check_shape(value, max_depth=max_depth, max_values=max_values)
    return value


def _check_shape(value, *, max_depth: int, max_values: int) -> None:
    """Depth, value count and finite numbers, without recursion; stops at the first problem.

    NaN, Infinity and 1e400 parse (as floats), but no field takes them (and int() of one raises
    OverflowError, which validation does not expect): a 422 naming the field.
    """
    stack = [(value, 1, "")]
    count = 0
    while stack:
        item, depth, path = stack.pop()
        count += 1
        if count > max_values:
            raise BadJSON(f"Invalid JSON body: more than {max_values} values")
        if isinstance(item, dict):
            if depth > max_depth:
                raise BadJSON(f"Invalid JSON body: nested deeper than {max_depth} levels")
            stack.extend((child, depth + 1, f"{path}.{key}" if path else str(key)) for key, child in item.items())
            count += len(item)  # the keys count too
        elif isinstance(item, list):
            if depth > max_depth:
                raise BadJSON(f"Invalid JSON body: nested deeper than {max_depth} levels")
            stack.extend((child, depth + 1, f"{path}.{i}" if path else str(i)) for i, child in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            field = path or "_schema"
            raise Invalid(errors=[{"field": field, "message": "Not a finite number."}])


class SafeJSONProvider(DefaultJSONProvider):
    """`request.get_json()` with the same limits (elsewhere, e.g. reading our own answers, plain json)."""

    def loads(self, s, **kwargs):
        if not has_request_context():
            return super().loads(s, **kwargs)
        depth, values, digits = _limits()
        return safe_loads(s, max_depth=depth, max_values=values, max_number_length=digits)


def _is_json(mimetype: str | None) -> bool:
    return bool(mimetype) and (mimetype == "application/json" or mimetype.endswith("+json"))


def check_body() -> None:
    """before_request: refuse an oversized body unread, and a hostile JSON body before any parser."""
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(f"Request body too large: at most {limit} bytes")
    if request.method in ("GET", "HEAD", "OPTIONS") or not _is_json(request.mimetype):
        return
    raw = request.get_data(cache=True)  # werkzeug stops at the limit for a chunked body too (413)
    if not raw:
        return
    depth, values, digits = _limits()
    g.json_body = safe_loads(raw, max_depth=depth, max_values=values, max_number_length=digits)


def _headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.path.startswith("/api/") and not request.path.startswith("/api/v1/docs"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def register_security(app: Flask) -> None:
    app.json = SafeJSONProvider(app)
    app.before_request(check_body)
    app.after_request(_headers)


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* only from as many proxies as configured (default: none, off).

    Installed outermost (after Socket.IO wrapped the app), so sockets see the rewritten host too.
    """
    cfg = app.config
    counts = {
        "x_for": cfg.get("PROXY_FIX_X_FOR", 0),
        "x_proto": cfg.get("PROXY_FIX_X_PROTO", 0),
        "x_host": cfg.get("PROXY_FIX_X_HOST", 0),
    }
    if any(counts.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)


# --- malformed socket frames ----------------------------------------------------------------------

_FRAME_ERRORS = ("Unknown receive error", "post request handler error", "message handler error")


class OneLineFrameErrors(logging.Filter):
    """engine.io logs a traceback for a frame it cannot decode: keep one warning line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and record.getMessage() in _FRAME_ERRORS:
            error = record.exc_info[1]
            record.msg = "Malformed socket frame (%s: %s)"
            record.args = (type(error).__name__, str(error)[:120])
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def guard_malformed_frames(server) -> None:
    """A Socket.IO frame that does not decode: one warning line, no traceback, connection closed.

    Wraps the Engine.IO `message` handler of the Socket.IO server. An exception raised inside our
    own code (an event handler) is a bug, not hostile input: re-raised, traceback and all.
    """
    eio = server.eio
    original = eio.handlers.get("message")
    if original is None or getattr(original, "frame_guard", False):
        return

    def message(eio_sid, data):
        try:
            return original(eio_sid, data)
        except Exception as error:
            if _raised_in_ricemill(error):
                raise
            _frame_log.warning(
                "Malformed socket frame (%s: %s); connection closed", type(error).__name__, str(error)[:120]
            )
            eio.disconnect(eio_sid)

    message.frame_guard = True
    eio.on("message", message)
    engineio_logger = getattr(eio, "logger", None) or logging.getLogger("engineio.server")
    if not any(isinstance(f, OneLineFrameErrors) for f in engineio_logger.filters):
        engineio_logger.addFilter(OneLineFrameErrors())


def _raised_in_ricemill(error: BaseException) -> bool:
    """Did any frame of the traceback run our code (past this guard)? Then it is not the frame's fault."""
    tb = error.__traceback__.tb_next if error.__traceback__ else None  # skip the guard's own frame
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR):
            return True
        tb = tb.tb_next
    return False


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
