import logging

from ricemill.auth.roles import Role
from tests.factories import PASSWORD, make_user


def test_no_token_or_password_in_any_log_line(client, mill, caplog):
    make_user(Role.OPERATOR, mill, email="logs@example.test")
    with caplog.at_level(logging.DEBUG):
        tokens = client.post("/api/v1/auth/login", json={"email": "logs@example.test", "password": PASSWORD})
        data = tokens.get_json()["data"]
        client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {data['accessToken']}"})
        client.post("/api/v1/auth/login", json={"email": "logs@example.test", "password": "wrong password"})
        client.post("/api/v1/auth/refresh", headers={"Authorization": f"Bearer {data['refreshToken']}"})
    text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (PASSWORD, "wrong password", data["accessToken"], data["refreshToken"]):
        assert secret not in text


def test_log_lines_carry_the_request_id(app):
    from ricemill.logging_setup import RequestIdFilter

    with app.test_request_context("/healthz", headers={"X-Request-ID": "req-42"}):
        app.preprocess_request()
        record = logging.LogRecord("ricemill", logging.INFO, __file__, 1, "hello", (), None)
        assert RequestIdFilter().filter(record)
        assert record.request_id == "req-42"
    record = logging.LogRecord("ricemill", logging.INFO, __file__, 1, "outside", (), None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"
