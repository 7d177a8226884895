from ricemill.auth.roles import Role
from tests.factories import auth_header, make_user


def _admin(tag: str) -> dict:
    return {"email": f"{tag}@example.test", "name": "First Admin", "password": "long enough pw"}


def test_a_new_mill_reaches_the_platform_admins_only(client, connect, users):
    admin_ns = connect(users[Role.SUPER_ADMIN], namespace="/admin")
    admin_default = connect(users[Role.SUPER_ADMIN])
    mill_user = connect(users[Role.MILL_ADMIN])
    for c, ns in ((admin_ns, "/admin"), (admin_default, "/"), (mill_user, "/")):
        c.get_received(ns)
    response = client.post(
        "/api/v1/mills",
        json={"name": "New Mill", "code": "NEW-1", "admin": _admin("new1")},
        headers=auth_header(make_user(Role.SUPER_ADMIN)),
    )
    assert response.status_code == 201
    mill_id = response.get_json()["data"]["id"]
    expected = {"mill": {"id": mill_id, "name": "New Mill", "code": "NEW-1"}}
    for c, ns in ((admin_ns, "/admin"), (admin_default, "/")):
        got = [p["args"][0] for p in c.get_received(ns) if p["name"] == "mill:created"]
        assert got == [expected]
    assert all(p["name"] != "mill:created" for p in mill_user.get_received("/"))


def test_a_refused_mill_creation_announces_nothing(client, connect, users):
    admin_ns = connect(users[Role.SUPER_ADMIN], namespace="/admin")
    admin_ns.get_received("/admin")
    root = auth_header(make_user(Role.SUPER_ADMIN))
    assert (
        client.post(
            "/api/v1/mills", json={"name": "Dup", "code": "DUP-9", "admin": _admin("dup9")}, headers=root
        ).status_code
        == 201
    )
    admin_ns.get_received("/admin")
    assert (
        client.post(
            "/api/v1/mills", json={"name": "Dup", "code": "DUP-9", "admin": _admin("dup9b")}, headers=root
        ).status_code
        == 409
    )
    assert [p for p in admin_ns.get_received("/admin") if p["name"] == "mill:created"] == []
