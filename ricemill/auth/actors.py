"""Who did something, as documents show it: {id, name}."""

from ..extensions import db
from .models import User


def actor_of(user_id):
    """{id, name} of a user id (the identity map makes repeats free), or None."""
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    return user.actor if user is not None else {"id": str(user_id), "name": None}
