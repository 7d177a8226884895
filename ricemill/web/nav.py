"""The main navigation: one list, rendered by templates/base.html.

Each entry names its page (the `page` a route renders with, which marks the current link), the
endpoint and its arguments, and who sees it: `mill` entries need a mill in view (a user's own, or
the one a SUPER_ADMIN picked), `platform` entries only the SUPER_ADMIN. `permission` (a
`Permission` name), when set, hides the link from roles without it; the route checks again.
"""

from dataclasses import dataclass, field

from flask import g

from ..auth.roles import Permission, Role, role_allows


@dataclass(frozen=True)
class NavItem:
    page: str
    label: str
    endpoint: str
    args: dict = field(default_factory=dict)
    scope: str = "mill"  # "mill" or "platform"
    permission: str | None = None


NAV: tuple[NavItem, ...] = (
    NavItem("admin", "Platform", "web.admin", scope="platform"),
    NavItem("dashboard", "Dashboard", "web.dashboard"),
    NavItem("purchases", "Purchases", "web.document", {"kind": "purchases"}),
    NavItem("sales", "Sales", "web.document", {"kind": "sales"}),
    NavItem("inwards", "Inward", "web.document", {"kind": "inwards"}),
    NavItem("outwards", "Outward", "web.document", {"kind": "outwards"}),
    NavItem("milling", "Milling", "web.milling"),
    NavItem("stock", "Stock", "web.stock"),
    NavItem("payments", "Payments", "web.document", {"kind": "payments"}),
    NavItem("staff", "Staff", "web.document", {"kind": "staff"}),
    NavItem("attendance", "Attendance", "web.attendance"),
    NavItem("parties", "Parties", "books.parties"),
    NavItem("reports", "Reports", "books.reports"),
    NavItem("users", "Users", "web.users", permission="MANAGE_MILL"),
    NavItem("settings", "Settings", "web.settings", permission="MANAGE_MILL"),
)


def nav_items() -> list[NavItem]:
    """The entries the current user sees on the current page (g.user, g.mill)."""
    user = g.get("user")
    if user is None:
        return []
    mill = g.get("mill")
    shown = []
    for item in NAV:
        if item.scope == "platform" and user.role != Role.SUPER_ADMIN:
            continue
        if item.scope == "mill" and mill is None:
            continue
        if item.permission and not role_allows(user.role, Permission[item.permission]):
            continue
        shown.append(item)
    return shown
