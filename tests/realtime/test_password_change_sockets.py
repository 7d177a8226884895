"""A socket presenting an access token issued before a password change is refused."""

from ricemill.auth.roles import Role
from tests.factories import PASSWORD, make_user


def test_a_token_from_before_a_password_change_cannot_open_a_socket(connect, client, mill):
    user = make_user(Role.OPERATOR, mill)
    login = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    old = login.get_json()["data"]["accessToken"]
    before = connect(token=old)
    assert before.is_connected("/")
    changed = client.post(
        "/api/v1/account/password",
        json={"currentPassword": PASSWORD, "newPassword": "another long passphrase"},
        headers={"Authorization": f"Bearer {old}"},
    )
    assert changed.status_code == 200
    assert not before.is_connected("/")  # its socket was cut at once
    refused = connect(token=old)
    assert not refused.is_connected("/")
    assert refused.connect_error == {"message": "Invalid token"}
    fresh = connect(token=changed.get_json()["data"]["accessToken"])
    assert fresh.is_connected("/")
