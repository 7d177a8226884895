"""Domain errors raised by services, and the one place that turns every error into the envelope."""

import logging

from flask import current_app, g, jsonify, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from ..extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    status_code = 400
    default_message = "Bad request"

    def __init__(self, message: str | None = None, errors: list | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.errors = errors or []


class Invalid(DomainError):
    status_code = 422
    default_message = "Validation failed"


class Unauthorized(DomainError):
    status_code = 401
    default_message = "Authentication required"


class Forbidden(DomainError):
    status_code = 403
    default_message = "You do not have permission to do this"


class NotFound(DomainError):
    status_code = 404
    default_message = "Not found"


class Conflict(DomainError):
    status_code = 409
    default_message = "Conflict"


class TooManyRequests(DomainError):
    status_code = 429
    default_message = "Too many requests"

    def __init__(self, message: str | None = None, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def error_envelope(status_code: int, message: str, errors: list | None = None):
    errors = errors or []
    body = {"success": False, "statusCode": status_code, "message": message, "errors": errors}
    cap = current_app.config.get("MAX_VALIDATION_ERRORS", 20)
    if len(errors) > cap:  # the first few and a count: never an answer bigger than the question
        body["errors"], body["errorCount"] = errors[:cap], len(errors)
    response = jsonify(body)
    response.status_code = status_code
    return response


def flatten_validation_errors(messages, prefix: str = "") -> list[dict]:
    """Turn marshmallow/webargs nested messages into [{field, message}, ...].

    webargs nests them by location first ({"json": {"field": [...]}}); the location is dropped.
    """
    out: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not prefix and key in ("json", "query", "form", "view_args", "path", "headers"):
                out.extend(flatten_validation_errors(value, ""))
                continue
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "_schema"
            out.extend(flatten_validation_errors(value, name))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            out.extend({"field": prefix or "_schema", "message": m} for m in messages)
        else:
            for item in messages:
                out.extend(flatten_validation_errors(item, prefix))
    else:
        out.append({"field": prefix or "_schema", "message": str(messages)})
    return out


def _api_request() -> bool:
    return request.path.startswith("/api/")


def handle_http_exception(error: HTTPException):
    """Every HTTP error under /api/ as the envelope, including webargs' 422."""
    data = getattr(error, "data", None) or {}
    errors = []
    messages = data.get("errors") or data.get("messages")
    if messages:
        errors = flatten_validation_errors(messages)
    code = error.code or 500
    if code == 422:
        message = data.get("message") or "Validation failed"
    elif code == 405:
        message = "Method not allowed"
    elif code == 404:
        message = "Not found"
    else:
        message = data.get("message") or error.description or error.name
    response = error_envelope(code, message, errors)
    for key, value in (data.get("headers") or {}).items():
        response.headers[key] = value
    if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def register_error_handlers(app) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        db.session.rollback()
        response = error_envelope(error.status_code, error.message, error.errors)
        if isinstance(error, TooManyRequests) and error.retry_after:
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(OperationalError)
    def _db_unavailable(error):
        db.session.rollback()
        log.error("Database unavailable: %s", error.__class__.__name__)
        return error_envelope(503, "Service temporarily unavailable, try again shortly")

    @app.errorhandler(DBAPIError)
    def _db_error(error):
        db.session.rollback()
        if getattr(error, "connection_invalidated", False):
            return error_envelope(503, "Service temporarily unavailable, try again shortly")
        log.exception("Database error on %s %s", request.method, request.path)
        return error_envelope(500, "Internal server error")

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if not _api_request():
            return error
        return handle_http_exception(error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http_error(error)
        db.session.rollback()
        log.exception(
            "Unhandled error on %s %s (request %s)", request.method, request.path, getattr(g, "request_id", "-")
        )
        if current_app.testing and current_app.config.get("PROPAGATE_UNEXPECTED"):
            raise error
        return error_envelope(500, "Internal server error")
