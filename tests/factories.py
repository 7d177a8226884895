"""Test data builders.

They commit: inside a test's outer transaction that only releases a savepoint (all is still rolled
back after the test), and it makes the data visible to the requests the test then makes, which
share the thread's session and close it at teardown.
"""

import itertools
import uuid

from flask_jwt_extended import create_access_token

from ricemill.auth import service as auth_service
from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.mills import service as mill_service

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_mill(name: str | None = None, **settings):
    n = next(_counter)
    data = {"name": name or f"Test Mill {n}", "code": f"TM{n}-{uuid.uuid4().hex[:4].upper()}"}
    if settings:
        data["settings"] = settings
    mill = mill_service.create_mill(data=data)
    db.session.commit()
    return mill


def make_user(
    role: Role | str = Role.OPERATOR,
    mill=None,
    *,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
):
    role = Role(role)
    n = next(_counter)
    user = auth_service.create_user(
        email=email or f"user{n}-{uuid.uuid4().hex[:6]}@example.test",
        name=name or f"{role.value.title()} {n}",
        password=password,
        role=role,
        mill_id=None if role == Role.SUPER_ADMIN else mill.id,
    )
    db.session.commit()
    return user


def token_for(user) -> str:
    return create_access_token(identity=str(user.id), additional_claims={"role": str(user.role)})


def auth_header(user) -> dict:
    return {"Authorization": f"Bearer {token_for(user)}"}
