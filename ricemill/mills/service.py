"""Mills: create (with its stock rows and first admin), update settings."""

import sqlalchemy as sa

from ..auth import service as auth_service
from ..auth.models import User
from ..auth.roles import Role
from ..common.errors import Conflict
from ..common.listing import equal, search_filter_sort_paginate
from ..extensions import db
from ..inventory.models import Stock
from ..inventory.types import StockType
from ..realtime.events import SERVER_EVENTS
from ..realtime.outbox import after_commit
from ..realtime.sockets import emitter
from .models import DEFAULT_MILL_SETTINGS, Mill


def _json_settings(settings: dict) -> dict:
    out = {}
    if "standard_moisture_percent" in settings:
        out["standardMoisturePercent"] = float(settings["standard_moisture_percent"])
    if "timezone" in settings:
        out["timezone"] = settings["timezone"]
    for key in ("gstin", "state"):  # null clears it
        if key in settings:
            out[key] = settings[key]
    return out


def create_mill(*, data: dict) -> Mill:
    """A mill with one stock row per stock type and, if given, its first MILL_ADMIN."""
    code = data["code"].upper()
    if db.session.scalar(sa.select(sa.exists().where(Mill.code == code))):
        raise Conflict("A mill with this code already exists")
    mill = Mill(
        name=data["name"].strip(),
        code=code,
        address=data.get("address"),
        phone=data.get("phone"),
        settings={**DEFAULT_MILL_SETTINGS, **_json_settings(data.get("settings") or {})},
        is_active=True,
    )
    db.session.add(mill)
    db.session.flush()
    db.session.add_all(Stock(mill_id=mill.id, stock_type=t, quantity=0, min_stock_level=0) for t in StockType)
    admin = data.get("admin")
    if admin:
        auth_service.create_user(
            email=admin["email"],
            name=admin["name"],
            phone=admin.get("phone"),
            password=admin["password"],
            role=Role.MILL_ADMIN,
            mill_id=mill.id,
        )
    db.session.flush()
    created = {"mill": {"id": str(mill.id), "name": mill.name, "code": mill.code}}
    # A platform event, not a mill's: no seq, straight to the admins once the mill exists.
    after_commit(lambda: emitter.to_admins(SERVER_EVENTS["MILL_CREATED"], created))
    return mill


def update_mill(*, mill: Mill, data: dict) -> Mill:
    for key in ("name", "address", "phone", "is_active"):
        if key in data:
            setattr(mill, key, data[key])
    if "settings" in data:
        mill.settings = {**(mill.settings or {}), **_json_settings(data["settings"])}
    db.session.flush()
    return mill


# --- lists ---------------------------------------------------------------------------------------


def list_mills(*, user, query: dict) -> tuple[list[Mill], dict]:
    """SUPER_ADMIN: every mill; anyone else: their own. By name."""
    stmt = sa.select(Mill)
    if user.role != Role.SUPER_ADMIN:
        stmt = stmt.where(Mill.id == user.mill_id)
    return search_filter_sort_paginate(stmt, query, sort=(Mill.name, Mill.id))


def list_users(*, mill_id, query: dict) -> tuple[list[User], dict]:
    """A page of the mill's users by name; filters role, isActive."""
    return search_filter_sort_paginate(
        sa.select(User).where(User.mill_id == mill_id),
        query,
        filters={"role": lambda role: User.role == Role(role), "is_active": equal(User.is_active)},
        sort=(User.name, User.id),
    )
