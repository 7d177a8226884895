import pytest

from ricemill.auth.roles import Role


@pytest.fixture
def operator(users):
    return users[Role.OPERATOR]


@pytest.fixture
def operator_headers(headers):
    return headers[Role.OPERATOR]
