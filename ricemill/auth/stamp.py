"""A token's session stamp: ties an access token to the password it was issued under.

Access tokens carry `pwd`, a keyed digest of the user's password hash (never the hash itself). A
password change or reset makes every access token issued before it fail at once (REST and sockets),
not only the refresh tokens; the session that changed it gets a fresh pair.
"""

import hashlib
import hmac

from flask import current_app

CLAIM = "pwd"


def password_stamp(user) -> str:
    key = str(current_app.config["JWT_SECRET_KEY"]).encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:16]


def stamp_matches(user, claims: dict) -> bool:
    """Tokens without the claim (issued before it existed) pass; they expire within minutes."""
    stamp = claims.get(CLAIM)
    return stamp is None or hmac.compare_digest(str(stamp), password_stamp(user))
