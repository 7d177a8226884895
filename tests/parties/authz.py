"""Ids the authorisation matrix needs for the party routes."""

from ricemill.parties import service
from tests.authz_registry import register


def make_party(mill, admin, **overrides):
    data = {"kind": "FARMER", "name": "Ramesh", "phone": "98450 12345", "village": "Kollur"}
    data.update(overrides)
    return service.create_party(mill=mill, data=data, actor=admin)


register("party_id", lambda mill, admin: make_party(mill, admin).id)
