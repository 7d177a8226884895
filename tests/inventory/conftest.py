import pytest

from ricemill.auth.roles import Role


@pytest.fixture
def admin(users):
    return users[Role.MILL_ADMIN]


@pytest.fixture
def admin_headers(headers):
    return headers[Role.MILL_ADMIN]
