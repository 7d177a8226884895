"""Demo data for the quick start. Idempotent: running it again changes nothing."""

import sqlalchemy as sa

from .auth import service as auth_service
from .auth.models import User
from .auth.roles import Role
from .extensions import db
from .mills import service as mill_service
from .mills.models import Mill

DEMO_PASSWORD = "ricemill-demo-1"

DEMO_MILLS = [
    {"code": "SRI-LAKSHMI", "name": "Sri Lakshmi Rice Mill", "address": "Miryalaguda, Telangana", "slug": "lakshmi"},
    {
        "code": "ANNAPURNA",
        "name": "Annapurna Modern Rice Mill",
        "address": "Kakinada, Andhra Pradesh",
        "slug": "annapurna",
    },
]


def _ensure_user(email: str, name: str, role: Role, mill_id=None) -> User:
    user = auth_service.find_user_by_email(email)
    if user is None:
        user = auth_service.create_user(email=email, name=name, password=DEMO_PASSWORD, role=role, mill_id=mill_id)
    return user


def seed_demo() -> list[dict]:
    logins = []
    _ensure_user("admin@ricemill.local", "Platform Admin", Role.SUPER_ADMIN)
    logins.append({"role": "SUPER_ADMIN", "email": "admin@ricemill.local", "password": DEMO_PASSWORD, "mill": None})
    for spec in DEMO_MILLS:
        mill = db.session.scalar(sa.select(Mill).where(Mill.code == spec["code"]))
        if mill is None:
            mill = mill_service.create_mill(
                data={"name": spec["name"], "code": spec["code"], "address": spec["address"]}
            )
        for role, who in ((Role.MILL_ADMIN, "owner"), (Role.MANAGER, "manager"), (Role.OPERATOR, "operator")):
            email = f"{who}@{spec['slug']}.local"
            _ensure_user(email, f"{spec['slug'].title()} {who.title()}", role, mill.id)
            logins.append({"role": role.value, "email": email, "password": DEMO_PASSWORD, "mill": spec["name"]})
        db.session.flush()
        seed_month(mill)
    db.session.commit()
    return logins


def seed_month(mill: Mill) -> None:
    """A realistic month of the mill's work (added by the domain layer; a no-op until then)."""
