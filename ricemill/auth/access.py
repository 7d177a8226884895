"""Authentication and authorisation for routes: one decorator for mill routes, one for the platform.

`mill_access(permission)` checks, in this order: a valid access token (401), that the mill is the
user's own or the user is SUPER_ADMIN and the mill exists (404 otherwise: never a hint that another
mill exists), then the role's permission (403). It stores the mill in `g.mill`.
The permission is kept on the view (`required_permission`) so that tests can walk the URL map.
"""

import functools

from flask import g
from flask_jwt_extended import current_user, verify_jwt_in_request

from ..common.errors import Forbidden, NotFound
from ..extensions import db
from ..mills.models import Mill
from .roles import Permission, Role, role_allows


def user_can_access_mill(user, mill_id) -> bool:
    return user.role == Role.SUPER_ADMIN or (user.mill_id is not None and str(user.mill_id) == str(mill_id))


def load_mill_for(user, mill_id):
    """The mill if `user` may see it, else NotFound."""
    if not user_can_access_mill(user, mill_id):
        raise NotFound("Mill not found")
    mill = db.session.get(Mill, mill_id)
    if mill is None:
        raise NotFound("Mill not found")
    return mill


def authenticated(fn):
    """Any logged-in, active user."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        verify_jwt_in_request()
        g.user = current_user
        return fn(*args, **kwargs)

    wrapper.required_permission = None
    return wrapper


def mill_access(permission: Permission):
    def decorator(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            verify_jwt_in_request()
            user = current_user
            g.user = user
            g.mill = load_mill_for(user, kwargs["mill_id"])
            if not role_allows(user.role, permission):
                raise Forbidden()
            return fn(*args, **kwargs)

        wrapper.required_permission = permission
        return wrapper

    return decorator


def platform_access(fn):
    """SUPER_ADMIN only."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        verify_jwt_in_request()
        g.user = current_user
        if current_user.role != Role.SUPER_ADMIN:
            raise Forbidden()
        return fn(*args, **kwargs)

    wrapper.required_permission = Permission.PLATFORM
    return wrapper
