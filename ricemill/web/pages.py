"""The admin pages: thin Jinja shells whose data comes from the REST API in the browser.

Login sets the JWT pair in httpOnly cookies (flask-jwt-extended, double-submit CSRF for writes);
every page route needs that cookie and takes the mill from the logged-in user (a SUPER_ADMIN picks
one with `?mill=`). The API itself enforces tenancy; pages never read another mill's documents.
"""

import functools
import hmac
import time
import uuid
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_jwt_extended import (
    current_user,
    get_jwt,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
    verify_jwt_in_request,
)
from flask_jwt_extended.exceptions import JWTExtendedException
from jwt.exceptions import PyJWTError

from ..auth import service as auth_service
from ..auth.roles import Permission, Role, role_allows
from ..auth.schemas import LoginSchema
from ..common import words
from ..common.errors import DomainError
from ..extensions import db
from ..meta.service import build_meta
from ..mills.models import Mill
from .documents import DOCUMENTS
from .nav import nav_items

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static/web")

# What a broken, expired, revoked or missing cookie can raise; each means "log in again".
_AUTH_ERRORS = (JWTExtendedException, PyJWTError, DomainError)


def _safe_next(target: str | None) -> str:
    """Only a local path: never an open redirect to another site."""
    if not target or len(target) > 2048 or not target.isprintable():
        return "/"
    parts = urlsplit(target)
    # browsers read "/\\host" as "//host": a backslash anywhere is refused too
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _cookie_user():
    try:
        verify_jwt_in_request(locations=["cookies"])
    except _AUTH_ERRORS:
        return None
    return current_user


def _expires_in(token_payload: dict) -> int:
    """Seconds left: the page counts on its own clock, which need not agree with ours."""
    return max(0, int(token_payload["exp"] - time.time()))


def _page(fn):
    """A page needs a login: no valid access cookie → try the refresh cookie, else /login."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        user = _cookie_user()
        if user is None:
            return redirect(url_for("web.refresh_and_return", next=request.full_path.rstrip("?")))
        g.user = user
        g.access_expires_in = _expires_in(get_jwt())
        g.mill = _page_mill(user)
        if g.mill is None and user.role == Role.SUPER_ADMIN and fn.__name__ not in _PLATFORM_PAGES:
            return redirect(url_for("web.admin"))
        return fn(*args, **kwargs)

    return wrapper


def _page_mill(user):
    """The user's own mill; a SUPER_ADMIN may pick any mill with ?mill=<id>."""
    if user.role != Role.SUPER_ADMIN:
        return user.mill
    raw = request.args.get("mill")
    try:
        return db.session.get(Mill, uuid.UUID(raw)) if raw else None
    except ValueError:
        return None


_PLATFORM_PAGES = {"admin", "notifications", "account"}


@bp.app_context_processor
def _page_context():
    def mill_url(endpoint: str, **values) -> str:
        """A page link that keeps the SUPER_ADMIN's chosen mill."""
        mill = g.get("mill")
        user = g.get("user")
        if mill is not None and user is not None and user.role == Role.SUPER_ADMIN:
            values.setdefault("mill", str(mill.id))
        return url_for(endpoint, **values)

    def can(permission: str) -> bool:
        user = g.get("user")
        return bool(user) and role_allows(user.role, Permission[permission])

    meta = build_meta()
    return {
        "mill_url": mill_url,
        "can": can,
        "documents": DOCUMENTS,
        "nav_items": nav_items,
        "rm_meta": meta,  # base.html's #rm-meta; the same object as GET /api/v1/meta
        "stock_types": [o["value"] for o in meta["stockTypes"]],
    }


@bp.app_template_filter("option_label")
def _option_label(value: str) -> str:
    """A select option's words: the meta's label (stock types, modes, directions, statuses), else the
    code in words, as every message says it (`common/words.py`)."""
    return words.label(value)


def _render(template: str, **context):
    return render_template(template, **context)


# Pages run only their own scripts from this origin: no inline script, no framing (clickjacking).
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@bp.after_request
def _page_headers(response):
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def _cross_site() -> bool:
    """A form posted from another site (login CSRF): its Origin is not ours."""
    origin = request.headers.get("Origin")
    return bool(origin) and urlsplit(origin).netloc != request.host


# --- login, refresh, logout --------------------------------------------------------------------


@bp.get("/login")
def login_form():
    if _cookie_user() is not None:
        return redirect(_safe_next(request.args.get("next")))
    return _render("login.html", next=_safe_next(request.args.get("next")), error=None, email="")


def _login_field_errors(email: str, password: str) -> dict[str, str]:
    """The API's LoginSchema rules, one message per field (NUL, over-long, not an email...)."""
    messages = LoginSchema().validate({"email": email, "password": password})
    return {field: " ".join(text) if isinstance(text, list) else str(text) for field, text in messages.items()}


def _shown(value: str) -> str:
    """What the form may echo back: printable and no longer than the field allows."""
    return "".join(ch for ch in value[:254] if ch.isprintable())


@bp.post("/login")
def login():
    email = (request.form.get("email") or "").strip()
    password = request.form.get("password") or ""
    target = _safe_next(request.form.get("next"))
    if _cross_site():
        return _render("login.html", next=target, error="Log in from this site's own page.", email=""), 403
    if not email or not password:
        return _render("login.html", next=target, error="Enter your email and password.", email=_shown(email)), 422
    field_errors = _login_field_errors(email, password)
    if field_errors:
        return _render(
            "login.html", next=target, error="Check the fields below.", errors=field_errors, email=_shown(email)
        ), 422
    try:
        user, tokens = auth_service.login(email=email, password=password, address=request.remote_addr)
    except DomainError as error:
        db.session.rollback()
        response = _render("login.html", next=target, error=error.message, email=_shown(email))
        headers = {"Retry-After": str(error.retry_after)} if getattr(error, "retry_after", None) else {}
        return response, error.status_code, headers
    db.session.commit()
    if user.role == Role.SUPER_ADMIN and target == "/":
        target = url_for("web.admin")
    response = redirect(target)
    set_access_cookies(response, tokens["access_token"])
    set_refresh_cookies(response, tokens["refresh_token"])
    return response


def _refuse_cross_site():
    """/web/refresh and its logout change the session: only our own pages may call them.

    A request needs the double-submit header (X-CSRF-TOKEN equal to one of our CSRF cookies, which
    another site can neither read nor set) and must not come from another site by Origin or
    Sec-Fetch-Site. A refused request changes nothing: no rotation, no logout, no cookies cleared.
    """
    cfg = current_app.config
    sent = request.headers.get(cfg["JWT_ACCESS_CSRF_HEADER_NAME"], "")
    cookies = (
        request.cookies.get(cfg["JWT_ACCESS_CSRF_COOKIE_NAME"]),
        request.cookies.get(cfg["JWT_REFRESH_CSRF_COOKIE_NAME"]),
    )
    same_site = not _cross_site() and request.headers.get("Sec-Fetch-Site", "same-origin") in (
        "same-origin",
        "none",
    )
    if same_site and sent and any(cookie and hmac.compare_digest(sent, cookie) for cookie in cookies):
        return None
    body = {"success": False, "statusCode": 403, "message": "Missing or invalid CSRF token", "errors": []}
    return jsonify(body), 403


def _rotate():
    """Spend the refresh cookie, set a new pair. Raises on a missing, spent or revoked token."""
    verify_jwt_in_request(refresh=True, locations=["cookies"])
    tokens = auth_service.refresh(jwt_payload=get_jwt(), user=current_user)
    db.session.commit()
    return tokens


# The refresh cookie's path is /web/refresh: these routes live under it so the browser sends it.
@bp.post("/web/refresh")
def refresh():
    """The page's timer calls this (X-CSRF-TOKEN from the csrf_refresh_token cookie)."""
    refused = _refuse_cross_site()
    if refused is not None:
        return refused
    try:
        tokens = _rotate()
    except _AUTH_ERRORS:
        db.session.rollback()
        response = jsonify({"success": False, "statusCode": 401, "message": "Please log in again", "errors": []})
        unset_jwt_cookies(response)
        return response, 401
    from flask_jwt_extended import decode_token

    expires_in = _expires_in(decode_token(tokens["access_token"]))
    response = jsonify(
        {"success": True, "statusCode": 200, "message": "Token refreshed", "data": {"accessExpiresIn": expires_in}}
    )
    set_access_cookies(response, tokens["access_token"])
    set_refresh_cookies(response, tokens["refresh_token"])
    return response


@bp.get("/web/refresh")
def refresh_and_return():
    """A page opened with an expired access cookie: rotate and go back, or log in."""
    target = _safe_next(request.args.get("next"))
    try:
        tokens = _rotate()
    except _AUTH_ERRORS:
        db.session.rollback()
        # a session cookie came but is dead (expired, revoked, broken): the login page says so;
        # a first visit (or one after logging out, which clears them) has none and is just asked to log in
        cfg = current_app.config
        dead = any(request.cookies.get(cfg[name]) for name in ("JWT_ACCESS_COOKIE_NAME", "JWT_REFRESH_COOKIE_NAME"))
        response = redirect(url_for("web.login_form", next=target, **({"ended": "session"} if dead else {})))
        unset_jwt_cookies(response)
        return response
    response = redirect(target)
    set_access_cookies(response, tokens["access_token"])
    set_refresh_cookies(response, tokens["refresh_token"])
    return response


@bp.post("/web/refresh/logout")
def logout():
    """Revoke the access token and the refresh family, clear the cookies (CSRF header required)."""
    refused = _refuse_cross_site()
    if refused is not None:
        return refused
    response = jsonify({"success": True, "statusCode": 200, "message": "Logged out", "data": None})
    refresh_cookie = request.cookies.get(current_app.config["JWT_REFRESH_COOKIE_NAME"])
    try:
        verify_jwt_in_request(locations=["cookies"])
        auth_service.logout(jwt_payload=get_jwt(), user=current_user, refresh_token=refresh_cookie)
        db.session.commit()
    except _AUTH_ERRORS:
        db.session.rollback()  # the access cookie expired: the session's refresh family still ends
        if refresh_cookie:
            auth_service.revoke_refresh_token(refresh_cookie)
            db.session.commit()
    unset_jwt_cookies(response)
    return response


# --- mill pages ---------------------------------------------------------------------------------


@bp.get("/")
@_page
def dashboard():
    return _render("dashboard.html", page="dashboard")


@bp.get("/documents/<kind>")
@_page
def document(kind: str):
    spec = DOCUMENTS.get(kind)
    if spec is None:
        return _render("error.html", message="No such page"), 404
    return _render("document.html", page=kind, doc=spec, kind=kind)


@bp.get("/milling")
@_page
def milling():
    return _render("milling.html", page="milling")


@bp.get("/stock")
@_page
def stock():
    return _render("stock.html", page="stock")


@bp.get("/attendance")
@_page
def attendance():
    return _render("attendance.html", page="attendance")


@bp.get("/receipts/<uuid:receipt_id>")
@_page
def receipt(receipt_id):
    return _render("receipt.html", page="payments", receipt_id=str(receipt_id))


@bp.get("/notifications")
@_page
def notifications():
    return _render("notifications.html", page="notifications")


@bp.get("/admin")
@_page
def admin():
    if g.user.role != Role.SUPER_ADMIN:
        return _render("error.html", message="Only the platform admin can open this page"), 403
    return _render("admin.html", page="admin")


# --- the mill's users and settings, one's own account -------------------------------------------


def _mill_admin_page(template: str, page: str):
    if not role_allows(g.user.role, Permission.MANAGE_MILL):
        return _render("error.html", message="Only the mill's admin can open this page"), 403
    return _render(template, page=page)


@bp.get("/users")
@_page
def users():
    return _mill_admin_page("users.html", "users")


@bp.get("/settings")
@_page
def settings():
    return _mill_admin_page("settings.html", "settings")


@bp.get("/account")
@_page
def account():
    return _render("account.html", page="account")
