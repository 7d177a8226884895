from flask import g

from ..auth import service as auth_service
from ..auth.access import authenticated, mill_access, platform_access
from ..auth.models import User
from ..auth.roles import Permission, Role
from ..auth.schemas import UserCreateSchema, UserSchema, UserUpdateSchema
from ..common.blueprint import Blueprint
from ..common.envelope import created, envelope, ok
from ..common.errors import Forbidden, NotFound
from ..common.schemas import PageQuerySchema
from ..extensions import db
from . import service
from .schemas import MillCreateSchema, MillSchema, MillUpdateSchema, UserListQuerySchema

blp = Blueprint("mills", __name__, url_prefix="/api/v1/mills", description="Mills and their users")


@blp.route("", methods=["GET"])
@authenticated
@blp.arguments(PageQuerySchema, location="query")
@blp.response(200, envelope(MillSchema, many=True))
def list_mills(query):
    """SUPER_ADMIN: every mill. Others: their own mill."""
    items, meta = service.list_mills(user=g.user, query=query)
    return ok(items, meta=meta)


@blp.route("", methods=["POST"])
@platform_access
@blp.arguments(MillCreateSchema)
@blp.response(201, envelope(MillSchema))
def create_mill(data):
    """Create a mill (SUPER_ADMIN) with its first MILL_ADMIN (required: a mill nobody can run is refused)."""
    mill = service.create_mill(data=data)
    return created(mill, "Mill created")


@blp.route("/<uuid:mill_id>", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(MillSchema))
def get_mill(mill_id):
    return ok(g.mill)


@blp.route("/<uuid:mill_id>", methods=["PATCH"])
@mill_access(Permission.MANAGE_MILL)
@blp.arguments(MillUpdateSchema)
@blp.response(200, envelope(MillSchema))
def update_mill(data, mill_id):
    """Name, address, phone, settings. Only SUPER_ADMIN may (de)activate a mill."""
    if "is_active" in data and g.user.role != Role.SUPER_ADMIN:
        raise Forbidden("Only the platform admin can activate or deactivate a mill")
    mill = service.update_mill(mill=g.mill, data=data)
    return ok(mill, "Mill updated")


def _mill_user(mill_id, user_id) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.mill_id != mill_id:
        raise NotFound("User not found")
    return user


@blp.route("/<uuid:mill_id>/users", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(UserListQuerySchema, location="query")
@blp.response(200, envelope(UserSchema, many=True))
def list_users(query, mill_id):
    items, meta = service.list_users(mill_id=mill_id, query=query)
    return ok(items, meta=meta)


@blp.route("/<uuid:mill_id>/users", methods=["POST"])
@mill_access(Permission.MANAGE_MILL)
@blp.arguments(UserCreateSchema)
@blp.response(201, envelope(UserSchema))
def create_user(data, mill_id):
    user = auth_service.create_user(
        email=data["email"],
        name=data["name"],
        phone=data.get("phone"),
        password=data["password"],
        role=Role(data["role"]),
        mill_id=mill_id,
    )
    return created(user, "User created")


@blp.route("/<uuid:mill_id>/users/<uuid:user_id>", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(UserSchema))
def get_user(mill_id, user_id):
    return ok(_mill_user(mill_id, user_id))


@blp.route("/<uuid:mill_id>/users/<uuid:user_id>", methods=["PATCH"])
@mill_access(Permission.MANAGE_MILL)
@blp.arguments(UserUpdateSchema)
@blp.response(200, envelope(UserSchema))
def update_user(data, mill_id, user_id):
    user = auth_service.update_user(user=_mill_user(mill_id, user_id), data=data, actor=g.user)
    return ok(user, "User updated")


@blp.route("/<uuid:mill_id>/users/<uuid:user_id>", methods=["DELETE"])
@mill_access(Permission.MANAGE_MILL)
@blp.response(200, envelope(UserSchema))
def deactivate_user(mill_id, user_id):
    """Deactivates (never deletes): the user's tokens and sockets stop working at once."""
    user = auth_service.deactivate_user(user=_mill_user(mill_id, user_id), actor=g.user)
    return ok(user, "User deactivated")
