"""Roles and what each may do (docs/domain.md, roles table). The one source of truth for permissions."""

from ..common.enums import StrEnum


class Role(StrEnum):
    SUPER_ADMIN = "SUPER_ADMIN"
    MILL_ADMIN = "MILL_ADMIN"
    MANAGER = "MANAGER"
    OPERATOR = "OPERATOR"


class Permission(StrEnum):
    PLATFORM = "platform"  # create mills, broadcast, see every mill
    MANAGE_MILL = "manage_mill"  # the mill's users and settings
    CREATE = "create"  # purchases, sales, inward/outward, milling, attendance
    UPDATE = "update"  # update documents, payments, receipts, stock levels, staff
    DELETE = "delete"  # delete documents
    READ = "read"  # everything of the mill, dashboard, activity


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SUPER_ADMIN: frozenset(Permission),
    Role.MILL_ADMIN: frozenset(
        {Permission.MANAGE_MILL, Permission.CREATE, Permission.UPDATE, Permission.DELETE, Permission.READ}
    ),
    Role.MANAGER: frozenset({Permission.CREATE, Permission.UPDATE, Permission.READ}),
    Role.OPERATOR: frozenset({Permission.CREATE, Permission.READ}),
}


def role_allows(role: Role | str, permission: Permission) -> bool:
    return Permission(permission) in ROLE_PERMISSIONS[Role(role)]
