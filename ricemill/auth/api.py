from flask import g, request
from flask_jwt_extended import current_user, get_jwt, jwt_required

from ..common.blueprint import Blueprint
from ..common.envelope import envelope, ok
from ..extensions import db
from . import service
from .access import authenticated
from .schemas import LoginResultSchema, LoginSchema, LogoutSchema, TokensSchema, UserSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Login, tokens, the current user")


@blp.route("/login", methods=["POST"])
@blp.arguments(LoginSchema)
@blp.response(200, envelope(LoginResultSchema))
def login(data):
    """Log in with email and password: an access token (15 min) and a refresh token."""
    user, tokens = service.login(email=data["email"], password=data["password"], address=request.remote_addr)
    db.session.commit()
    return ok({**tokens, "user": user}, "Logged in")


login.required_permission = None


@blp.route("/refresh", methods=["POST"])
@jwt_required(refresh=True)
@blp.response(200, envelope(TokensSchema))
def refresh():
    """Send the refresh token as the bearer; get a new pair. The old refresh token is spent."""
    tokens = service.refresh(jwt_payload=get_jwt(), user=current_user)
    db.session.commit()
    return ok(tokens, "Token refreshed")


refresh.required_permission = None


@blp.route("/logout", methods=["POST"])
@authenticated
@blp.arguments(LogoutSchema(partial=True), required=False)
@blp.response(200, envelope())
def logout(data=None):
    """Revoke the access token in use, its session (refresh family) and, if given, the refresh token's."""
    service.logout(jwt_payload=get_jwt(), user=g.user, refresh_token=(data or {}).get("refresh_token"))
    db.session.commit()
    return ok(None, "Logged out")


@blp.route("/me", methods=["GET"])
@authenticated
@blp.response(200, envelope(UserSchema))
def me():
    """The user the token belongs to."""
    return ok(g.user)
