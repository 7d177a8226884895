from flask import after_this_request, g
from flask_jwt_extended import get_jwt_request_location, set_access_cookies, set_refresh_cookies

from ..auth.access import authenticated
from ..common.blueprint import Blueprint
from ..common.envelope import envelope, ok
from ..extensions import db
from . import service
from .schemas import PasswordChangedSchema, PasswordChangeSchema

blp = Blueprint("account", __name__, url_prefix="/api/v1/account", description="The logged-in user's own account")


@blp.route("/password", methods=["POST"])
@authenticated
@blp.arguments(PasswordChangeSchema)
@blp.response(200, envelope(PasswordChangedSchema))
def change_password(data):
    """Change your own password (the current one is required). Your other sessions end; this one
    goes on: a page gets new cookies, an API client gets the new pair in `data`."""
    tokens = service.change_password(
        user=g.user, current_password=data["current_password"], new_password=data["new_password"]
    )
    db.session.commit()
    if get_jwt_request_location() == "cookies":
        # a page: the new pair goes into the httpOnly cookies, never into script-readable JSON

        @after_this_request
        def _set_cookies(response):
            set_access_cookies(response, tokens["access_token"])
            set_refresh_cookies(response, tokens["refresh_token"])
            return response

        return ok({}, "Password changed")
    return ok(tokens, "Password changed")
