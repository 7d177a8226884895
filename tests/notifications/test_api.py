"""REST: the current user's notifications, read state, and the SUPER_ADMIN broadcast."""

import uuid

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.notifications import service
from ricemill.notifications.models import Notification, NotificationRecipient
from tests.factories import auth_header, make_mill, make_user

from .conftest import notifications


def _note(title, kind="info"):
    return {"type": kind, "title": title, "message": f"{title} message", "data": {}}


@pytest.fixture
def inbox(mill, users):
    """Three notifications to the operator (one also to the manager), in creation order."""
    operator, manager = users[Role.OPERATOR], users[Role.MANAGER]
    first = service.send_to_user(operator.id, _note("first"))
    db.session.commit()
    second = service.send_to_mill(mill.id, _note("second", "warning"))
    db.session.commit()
    third = service.send_to_user(operator.id, _note("third", "success"))
    db.session.commit()
    return {"operator": operator, "manager": manager, "ids": [first.id, second.id, third.id]}


def _counts():
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Notification)),
        db.session.scalar(sa.select(sa.func.count()).select_from(NotificationRecipient)),
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(NotificationRecipient)
            .where(NotificationRecipient.read_at.isnot(None))
        ),
    )


def test_list_shows_only_your_own_newest_first_with_unread_count(client, inbox, headers):
    body = client.get("/api/v1/notifications", headers=headers[Role.OPERATOR]).get_json()
    assert body["success"] is True
    assert [n["title"] for n in body["data"]] == ["third", "second", "first"]
    assert body["meta"] == {"page": 1, "perPage": 20, "total": 3, "unreadCount": 3}
    item = body["data"][0]
    assert set(item) == {"id", "type", "title", "message", "data", "createdAt", "readAt", "read"}
    assert (item["type"], item["read"], item["readAt"]) == ("success", False, None)
    manager = client.get("/api/v1/notifications", headers=headers[Role.MANAGER]).get_json()
    assert [n["title"] for n in manager["data"]] == ["second"]


def test_list_exports_your_own_notifications_equal_to_the_json(client, inbox, headers):
    import csv
    import io
    import json

    from ricemill.common.export import BOM

    h = headers[Role.OPERATOR]
    client.post(f"/api/v1/notifications/{inbox['ids'][0]}/read", headers=h)
    json_rows = client.get("/api/v1/notifications", headers=h).get_json()["data"]
    text = client.get("/api/v1/notifications?format=csv&perPage=1", headers=h).get_data(as_text=True)
    assert text.startswith(BOM)
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    assert header == ["Id", "Type", "Title", "Message", "Data", "Created at", "Read at", "Read"]
    assert [r[2] for r in rows] == ["third", "second", "first"]
    for row, want in zip(rows, json_rows, strict=True):
        assert row == [want["id"], want["type"], want["title"], want["message"], json.dumps(want["data"]),
                       want["createdAt"], want["readAt"] or "", str(want["read"])]  # fmt: skip
    unread = client.get("/api/v1/notifications?format=csv&unread=true", headers=h).get_data(as_text=True)
    assert len(list(csv.reader(io.StringIO(unread[1:])))) == 1 + 2
    manager = client.get("/api/v1/notifications?format=xlsx", headers=headers[Role.MANAGER])
    assert manager.status_code == 200 and manager.data[:2] == b"PK"  # a zip: the XLSX, the manager's one row
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(manager.data), read_only=True).active
    assert [r[2] for r in list(sheet.iter_rows(values_only=True))[1:]] == ["second"]


def test_paging(client, inbox, headers):
    body = client.get("/api/v1/notifications?page=2&perPage=2", headers=headers[Role.OPERATOR]).get_json()
    assert [n["title"] for n in body["data"]] == ["first"]
    assert body["meta"]["total"] == 3


def test_mark_read_then_unread_filter(client, inbox, headers):
    h = headers[Role.OPERATOR]
    second = inbox["ids"][1]
    answer = client.post(f"/api/v1/notifications/{second}/read", headers=h)
    assert answer.status_code == 200
    assert answer.get_json()["data"]["read"] is True and answer.get_json()["data"]["readAt"]
    again = client.post(f"/api/v1/notifications/{second}/read", headers=h)  # idempotent
    assert again.get_json()["data"]["readAt"] == answer.get_json()["data"]["readAt"]
    unread = client.get("/api/v1/notifications?unread=true", headers=h).get_json()
    assert [n["title"] for n in unread["data"]] == ["third", "first"]
    assert unread["meta"]["unreadCount"] == 2 and unread["meta"]["total"] == 2
    # The manager's copy of the same notification is still unread.
    manager = client.get("/api/v1/notifications?unread=true", headers=headers[Role.MANAGER]).get_json()
    assert manager["meta"]["unreadCount"] == 1


def test_someone_elses_notification_is_404_and_untouched(client, inbox, mill):
    outsider = make_user(Role.OPERATOR, make_mill())
    before = _counts()
    for target in (inbox["ids"][0], uuid.uuid4()):
        answer = client.post(f"/api/v1/notifications/{target}/read", headers=auth_header(outsider))
        assert answer.status_code == 404 and answer.get_json()["success"] is False
    assert _counts() == before


def test_read_all_marks_only_your_own(client, inbox, headers):
    answer = client.post("/api/v1/notifications/read-all", headers=headers[Role.OPERATOR])
    assert answer.status_code == 200
    assert answer.get_json()["data"] == {"marked": 3, "unreadCount": 0}
    assert client.get("/api/v1/notifications", headers=headers[Role.OPERATOR]).get_json()["meta"]["unreadCount"] == 0
    assert client.get("/api/v1/notifications", headers=headers[Role.MANAGER]).get_json()["meta"]["unreadCount"] == 1


def test_bad_query_is_422(client, inbox, headers):
    answer = client.get("/api/v1/notifications?perPage=500", headers=headers[Role.OPERATOR])
    assert answer.status_code == 422 and answer.get_json()["errors"][0]["field"] == "perPage"


def test_anonymous_is_401(client):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read-all").status_code == 401
    assert client.post("/api/v1/admin/broadcast", json={}).status_code == 401


def test_broadcast_to_one_mill(client, mill, other_mill, users, headers, emitted):
    mill_users = {u.id for role, u in users.items() if role != Role.SUPER_ADMIN}  # all four made now
    stranger = make_user(Role.OPERATOR, other_mill)
    body = {"type": "warning", "title": "Power cut", "message": "No power 2-4 pm", "millId": str(mill.id)}
    answer = client.post("/api/v1/admin/broadcast", json=body, headers=headers[Role.SUPER_ADMIN])
    assert answer.status_code == 201, answer.get_json()
    data = answer.get_json()["data"]
    recipients = set(
        db.session.scalars(
            sa.select(NotificationRecipient.user_id).where(
                NotificationRecipient.notification_id == uuid.UUID(data["id"])
            )
        )
    )
    assert recipients == mill_users
    assert stranger.id not in recipients
    [(fn, _, payload, room)] = notifications(emitted)
    assert (fn, str(room), payload["title"], payload["id"]) == ("to_mill", str(mill.id), "Power cut", data["id"])


def test_broadcast_to_everyone(client, mill, other_mill, users, headers, emitted):
    stranger = make_user(Role.OPERATOR, other_mill)
    body = {"type": "info", "title": "Maintenance", "message": "Tonight 11 pm"}
    answer = client.post("/api/v1/admin/broadcast", json=body, headers=headers[Role.SUPER_ADMIN])
    assert answer.status_code == 201
    got = client.get("/api/v1/notifications", headers=auth_header(stranger)).get_json()
    assert [n["title"] for n in got["data"]] == ["Maintenance"]
    assert [item[0] for item in notifications(emitted)] == ["broadcast"]


@pytest.mark.parametrize("role", [Role.MILL_ADMIN, Role.MANAGER, Role.OPERATOR])
def test_broadcast_is_super_admin_only(client, headers, role, emitted):
    before = _counts()
    body = {"type": "info", "title": "Hi", "message": "all"}
    answer = client.post("/api/v1/admin/broadcast", json=body, headers=headers[role])
    assert answer.status_code == 403
    assert _counts() == before and notifications(emitted) == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"type": "shout", "title": "Hi", "message": "x"}, "type"),
        ({"type": "info", "message": "x"}, "title"),
        ({"type": "info", "title": "", "message": "x"}, "title"),
        ({"type": "info", "title": "Hi", "message": "x" * 501}, "message"),
        ({"type": "info", "title": "Hi", "message": "x", "millId": "not-a-uuid"}, "millId"),
        ({"type": "info", "title": "Hi", "message": "x", "millId": str(uuid.uuid4())}, "millId"),
        ({"type": "info", "title": "Hi", "message": "x", "data": {"a": 1}}, "data"),
    ],
)
def test_bad_broadcast_is_422_and_writes_nothing(client, headers, body, field, emitted):
    before = _counts()
    answer = client.post("/api/v1/admin/broadcast", json=body, headers=headers[Role.SUPER_ADMIN])
    assert answer.status_code == 422
    assert field in [e["field"] for e in answer.get_json()["errors"]]
    assert _counts() == before and notifications(emitted) == []
