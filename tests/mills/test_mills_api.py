import pytest
import sqlalchemy as sa

from ricemill.auth.models import User
from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.inventory.models import Stock
from ricemill.mills.models import Mill
from tests.factories import PASSWORD, auth_header, make_mill, make_user


def test_super_admin_creates_a_mill_with_its_first_admin_and_stock_rows(client):
    root = make_user(Role.SUPER_ADMIN)
    body = {
        "name": "Sri Rama Rice Mill",
        "code": "SRR-01",
        "address": "Nalgonda",
        "settings": {"standardMoisturePercent": 16.5},
        "admin": {"email": "owner@srr.test", "name": "Rama Rao", "password": "long enough pw"},
    }
    response = client.post("/api/v1/mills", json=body, headers=auth_header(root))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    assert data["code"] == "SRR-01"
    assert data["settings"] == {"standardMoisturePercent": 16.5, "timezone": "Asia/Kolkata"}
    stock_types = db.session.scalars(sa.select(Stock.stock_type).where(Stock.mill_id == data["id"])).all()
    assert sorted(map(str, stock_types)) == ["BRAN", "BROKEN_RICE", "HUSK", "PADDY", "RICE"]
    login = client.post("/api/v1/auth/login", json={"email": "owner@srr.test", "password": "long enough pw"})
    assert login.get_json()["data"]["user"]["role"] == "MILL_ADMIN"
    assert login.get_json()["data"]["user"]["millId"] == data["id"]


def test_duplicate_mill_code_is_409(client):
    root = make_user(Role.SUPER_ADMIN)
    first = {"email": "one@dup.test", "name": "One Admin", "password": "long enough pw"}
    make_mill_body = {"name": "One", "code": "DUP", "admin": first}
    assert client.post("/api/v1/mills", json=make_mill_body, headers=auth_header(root)).status_code == 201
    second = {**first, "email": "two@dup.test"}
    again = client.post(
        "/api/v1/mills", json={"name": "Two", "code": "DUP", "admin": second}, headers=auth_header(root)
    )
    assert again.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mill).where(Mill.code == "DUP")) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"name": "X", "code": "bad code"},
        {"name": "", "code": "OK1"},
        {"name": "X", "code": "OK2", "settings": {"standardMoisturePercent": 99}},
        {"name": "X", "code": "OK3", "settings": {"timezone": "Mars/Olympus"}},
        {"name": "X", "code": "OK4", "isActive": False, "id": "x"},
        {"name": "X", "code": "OK5", "admin": {"email": "a@b.test", "name": "A", "password": "short"}},
        {"name": "X", "code": "OK6"},  # no first admin: a mill nobody can run
        {"name": "X", "code": "OK7", "admin": {"email": "a@b.test", "name": "A"}},
    ],
)
def test_bad_mill_bodies_are_422_and_write_nothing(client, body):
    root = make_user(Role.SUPER_ADMIN)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Mill))
    response = client.post("/api/v1/mills", json=body, headers=auth_header(root))
    assert response.status_code == 422
    assert response.get_json()["errors"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mill)) == before


def test_mill_users_list_only_their_own_mill(client):
    a, b = make_mill(), make_mill()
    user = make_user(Role.MANAGER, a)
    response = client.get("/api/v1/mills", headers=auth_header(user))
    ids = [m["id"] for m in response.get_json()["data"]]
    assert ids == [str(a.id)]
    assert response.get_json()["meta"] == {"page": 1, "perPage": 20, "total": 1}
    root = make_user(Role.SUPER_ADMIN)
    all_ids = {m["id"] for m in client.get("/api/v1/mills?perPage=100", headers=auth_header(root)).get_json()["data"]}
    assert {str(a.id), str(b.id)} <= all_ids


def test_mill_admin_updates_settings_but_not_active_flag(client, mill):
    admin = make_user(Role.MILL_ADMIN, mill)
    response = client.patch(
        f"/api/v1/mills/{mill.id}", json={"settings": {"standardMoisturePercent": 15}}, headers=auth_header(admin)
    )
    assert response.status_code == 200
    assert response.get_json()["data"]["settings"]["standardMoisturePercent"] == 15
    assert response.get_json()["data"]["settings"]["timezone"] == "Asia/Kolkata"
    denied = client.patch(f"/api/v1/mills/{mill.id}", json={"isActive": False}, headers=auth_header(admin))
    assert denied.status_code == 403


def test_mill_admin_manages_users(client, mill):
    admin = make_user(Role.MILL_ADMIN, mill)
    response = client.post(
        f"/api/v1/mills/{mill.id}/users",
        json={"email": "new.op@example.test", "name": "New Op", "role": "OPERATOR", "password": PASSWORD},
        headers=auth_header(admin),
    )
    assert response.status_code == 201
    new_id = response.get_json()["data"]["id"]
    assert response.get_json()["data"]["millId"] == str(mill.id)
    listed = client.get(f"/api/v1/mills/{mill.id}/users?role=OPERATOR", headers=auth_header(admin)).get_json()
    assert [u["id"] for u in listed["data"]] == [new_id]
    promoted = client.patch(
        f"/api/v1/mills/{mill.id}/users/{new_id}", json={"role": "MANAGER"}, headers=auth_header(admin)
    )
    assert promoted.get_json()["data"]["role"] == "MANAGER"
    gone = client.delete(f"/api/v1/mills/{mill.id}/users/{new_id}", headers=auth_header(admin))
    assert gone.status_code == 200 and gone.get_json()["data"]["isActive"] is False
    assert db.session.get(User, gone.get_json()["data"]["id"]) is not None  # deactivated, not deleted
    login = client.post("/api/v1/auth/login", json={"email": "new.op@example.test", "password": PASSWORD})
    assert login.status_code == 401


@pytest.mark.parametrize(
    "extra",
    [
        {"millId": "00000000-0000-0000-0000-000000000000"},
        {"role": "SUPER_ADMIN"},
        {"isAdmin": True},
        {"passwordHash": "x"},
    ],
)
def test_user_body_cannot_set_mill_super_role_or_unknown_fields(client, mill, extra):
    admin = make_user(Role.MILL_ADMIN, mill)
    body = {"email": "mass@example.test", "name": "Mass", "role": "OPERATOR", "password": PASSWORD, **extra}
    response = client.post(f"/api/v1/mills/{mill.id}/users", json=body, headers=auth_header(admin))
    assert response.status_code == 422
    assert db.session.scalar(sa.select(User).where(User.email == "mass@example.test")) is None


def test_admin_cannot_demote_or_deactivate_themself(client, mill):
    admin = make_user(Role.MILL_ADMIN, mill)
    url = f"/api/v1/mills/{mill.id}/users/{admin.id}"
    assert client.patch(url, json={"role": "OPERATOR"}, headers=auth_header(admin)).status_code == 403
    assert client.delete(url, headers=auth_header(admin)).status_code == 403


def test_user_of_another_mill_is_404_by_id_even_within_own_mill_url(client):
    a, b = make_mill(), make_mill()
    admin_a = make_user(Role.MILL_ADMIN, a)
    user_b = make_user(Role.OPERATOR, b)
    # mill A's URL, mill B's user id: still 404, nothing changed
    response = client.patch(
        f"/api/v1/mills/{a.id}/users/{user_b.id}", json={"name": "Hacked"}, headers=auth_header(admin_a)
    )
    assert response.status_code == 404
    assert db.session.get(User, user_b.id).name != "Hacked"


def test_duplicate_email_is_409(client, mill):
    admin = make_user(Role.MILL_ADMIN, mill)
    make_user(Role.OPERATOR, mill, email="taken@example.test")
    response = client.post(
        f"/api/v1/mills/{mill.id}/users",
        json={"email": "TAKEN@example.test", "name": "Dup", "role": "OPERATOR", "password": PASSWORD},
        headers=auth_header(admin),
    )
    assert response.status_code == 409


def test_a_mill_admin_cannot_raise_anyone_to_super_admin(client, mill):
    admin = make_user(Role.MILL_ADMIN, mill)
    operator = make_user(Role.OPERATOR, mill)
    url = f"/api/v1/mills/{mill.id}/users/{operator.id}"
    response = client.patch(url, json={"role": "SUPER_ADMIN"}, headers=auth_header(admin))
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["role"]
    db.session.expire_all()
    assert db.session.get(User, operator.id).role == Role.OPERATOR


def test_a_mill_admin_cannot_act_on_another_mills_users(client):
    a, b = make_mill(), make_mill()
    admin_a = make_user(Role.MILL_ADMIN, a)
    user_b = make_user(Role.OPERATOR, b)
    for method, body in (("PATCH", {"role": "MANAGER"}), ("PATCH", {"password": "x" * 12}), ("DELETE", None)):
        response = client.open(
            f"/api/v1/mills/{b.id}/users/{user_b.id}", method=method, json=body, headers=auth_header(admin_a)
        )
        assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(User, user_b.id).is_active and db.session.get(User, user_b.id).role == Role.OPERATOR


def test_a_deactivated_user_is_reactivated(client, mill):
    admin = make_user(Role.MILL_ADMIN, mill)
    operator = make_user(Role.OPERATOR, mill)
    url = f"/api/v1/mills/{mill.id}/users/{operator.id}"
    assert client.delete(url, headers=auth_header(admin)).status_code == 200
    back = client.patch(url, json={"isActive": True}, headers=auth_header(admin))
    assert back.status_code == 200 and back.get_json()["data"]["isActive"] is True
    login = client.post("/api/v1/auth/login", json={"email": operator.email, "password": PASSWORD})
    assert login.status_code == 200


def test_mill_settings_are_validated_and_the_name_is_never_emptied(client, mill):
    admin = make_user(Role.MILL_ADMIN, mill)
    url = f"/api/v1/mills/{mill.id}"
    for body in (
        {"name": ""},
        {"settings": {"timezone": "Nowhere/Atall"}},
        {"settings": {"standardMoisturePercent": -1}},
    ):
        response = client.patch(url, json=body, headers=auth_header(admin))
        assert response.status_code == 422, body
    db.session.expire_all()
    assert db.session.get(Mill, mill.id).name == mill.name
    body = {"name": "Renamed Mill", "address": None, "phone": "98480 22338", "settings": {"timezone": "Asia/Dubai"}}
    response = client.patch(url, json=body, headers=auth_header(admin))
    assert response.status_code == 200
    data = response.get_json()["data"]
    assert data["name"] == "Renamed Mill" and data["phone"] == "98480 22338"
    assert data["settings"]["timezone"] == "Asia/Dubai"


def test_the_letterhead_gstin_and_state_are_mill_settings(client, mill):
    admin = make_user(Role.MILL_ADMIN, mill)
    url = f"/api/v1/mills/{mill.id}"
    refused = {
        "settings.gstin": {"settings": {"gstin": "29AAGCB7383J1Z5"}},  # check character wrong
        "settings.state": {"settings": {"gstin": "29AAGCB7383J1Z4", "state": "Kerala"}},  # GSTIN says Karnataka
    }
    for field, body in refused.items():
        response = client.patch(url, json=body, headers=auth_header(admin))
        assert response.status_code == 422, body
        assert field in {e["field"] for e in response.get_json()["errors"]}, response.get_json()
    db.session.expire_all()
    assert "gstin" not in db.session.get(Mill, mill.id).settings
    response = client.patch(url, json={"settings": {"gstin": " 29aagcb7383j1z4 "}}, headers=auth_header(admin))
    assert response.status_code == 200
    settings = response.get_json()["data"]["settings"]
    assert settings["gstin"] == "29AAGCB7383J1Z4" and settings["timezone"]  # other settings kept
    response = client.patch(url, json={"settings": {"gstin": None, "state": "tamil nadu"}}, headers=auth_header(admin))
    settings = response.get_json()["data"]["settings"]
    assert settings["gstin"] is None and settings["state"] == "Tamil Nadu"
