"""The main navigation, rendered from the one list in ricemill/web/nav.py."""

import re

from ricemill.auth.roles import Role
from ricemill.web.nav import NAV
from tests.factories import PASSWORD, make_mill, make_user


def _nav(client, user, path="/"):
    client.post("/login", data={"email": user.email, "password": PASSWORD, "next": path})
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    nav = html[html.index('<nav class="nav"') : html.index("</nav>")]
    links = re.findall(r'<a href="([^"]*)"( aria-current="page")?>([^<]*)</a>', nav)
    return [(href, label, bool(current)) for href, current, label in links]


def test_a_mill_user_sees_every_mill_page_once_and_the_current_one_marked(client, mill):
    links = _nav(client, make_user(Role.OPERATOR, mill), "/documents/sales")
    # an operator: every mill page but those that need a permission it lacks (users, settings)
    assert [label for _, label, _ in links] == [
        item.label for item in NAV if item.scope == "mill" and not item.permission
    ]
    admin_links = _nav(client, make_user(Role.MILL_ADMIN, mill), "/documents/sales")
    assert [label for _, label, _ in admin_links] == [item.label for item in NAV if item.scope == "mill"]
    assert {"Users", "Settings"} <= {label for _, label, _ in admin_links}
    assert [label for _, label, current in links if current] == ["Sales"]
    assert ("/documents/sales", "Sales", True) in links
    assert "Platform" not in [label for _, label, _ in links]


def test_the_platform_admin_sees_platform_alone_then_a_picked_mill_with_it_kept(client):
    mill = make_mill("Picked Mill")
    admin = make_user(Role.SUPER_ADMIN)
    links = _nav(client, admin, "/admin")
    assert links == [("/admin", "Platform", True)]
    links = _nav(client, admin, f"/stock?mill={mill.id}")
    assert links[0] == ("/admin", "Platform", False)
    assert (f"/stock?mill={mill.id}", "Stock", True) in links
    assert all(f"mill={mill.id}" in href for href, label, _ in links[1:])
