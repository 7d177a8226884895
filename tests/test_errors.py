"""Every error under /api/v1 is the envelope."""


def _is_error_envelope(body, status):
    return (
        body["success"] is False
        and body["statusCode"] == status
        and isinstance(body["message"], str)
        and isinstance(body["errors"], list)
    )


def test_404_is_an_envelope(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert _is_error_envelope(response.get_json(), 404)


def test_405_is_an_envelope(client):
    response = client.delete("/api/v1/auth/login")
    assert response.status_code == 405
    assert _is_error_envelope(response.get_json(), 405)


def test_422_lists_field_errors(client):
    response = client.post("/api/v1/auth/login", json={"email": "not-an-email"})
    assert response.status_code == 422
    body = response.get_json()
    assert _is_error_envelope(body, 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"email", "password"}


def test_malformed_json_is_a_4xx_envelope(client):
    response = client.post("/api/v1/auth/login", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert _is_error_envelope(response.get_json(), response.status_code)


def test_500_is_an_envelope_and_hides_the_error(database_urls, another_app):
    fresh = another_app("testing", {"SQLALCHEMY_DATABASE_URI": database_urls["test"]})

    @fresh.get("/api/v1/_boom")
    def _boom():
        raise RuntimeError("secret internals")

    response = fresh.test_client().get("/api/v1/_boom")
    assert response.status_code == 500
    body = response.get_json()
    assert _is_error_envelope(body, 500)
    assert "secret" not in response.get_data(as_text=True)


def test_401_is_an_envelope(client):
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.get_json()["message"] == "Authentication token required"


def test_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert response.headers["X-Request-ID"] == "abc123"
