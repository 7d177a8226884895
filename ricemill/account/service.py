"""Change one's own password: every other session ends, the caller's goes on with a fresh pair."""

from ..auth import service as auth_service
from ..auth.models import User
from ..auth.passwords import hash_password, verify_password
from ..common.errors import Invalid
from ..extensions import db


def change_password(*, user: User, current_password: str, new_password: str) -> dict:
    """Returns the caller's new token pair. Other sessions: refresh tokens revoked, access tokens
    refused from now on (their families are revoked), sockets disconnected."""
    if not verify_password(user.password_hash, current_password):
        raise Invalid(
            "The current password is not right",
            [{"field": "currentPassword", "message": "Not your current password."}],
        )
    user.password_hash = hash_password(new_password)
    auth_service.revoke_all_refresh_tokens(user.id)
    auth_service.user_access_changed(user.id)
    tokens = auth_service.issue_tokens(user)
    db.session.flush()
    return tokens
