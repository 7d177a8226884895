"""Any string a client sends in a text field or filter is a 201/200 or a 422: never a 500, and a
refused body writes nothing."""

import json
from urllib.parse import quote

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ricemill.auth.roles import Role
from ricemill.common.text import text_problem
from ricemill.extensions import db
from ricemill.purchases.models import PaddyPurchase

# Any code point, surrogates included (what a JSON \uXXXX escape can carry).
ANY_TEXT = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=130)
RELAXED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(PaddyPurchase))


@RELAXED
@given(name=ANY_TEXT)
def test_any_farmer_name_is_stored_exactly_or_refused_with_422(client, mill, headers, name):
    body = {"farmerName": name, "grossWeightKg": 1000, "moisturePercent": 17, "ratePerQuintal": 2200}
    before = _count()
    response = client.post(
        f"/api/v1/mills/{mill.id}/paddy-purchases",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers[Role.OPERATOR],
    )
    acceptable = text_problem(name) is None and name.strip() and len(name) <= 120
    if acceptable:
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["data"]["farmerName"] == name
        assert _count() == before + 1
    else:
        assert response.status_code == 422
        assert {e["field"] for e in response.get_json()["errors"]} == {"farmerName"}
        assert _count() == before


@RELAXED
@given(text=ANY_TEXT)
def test_any_text_filter_answers_200_or_422(client, mill, headers, text):
    # The bytes a client would send, lone surrogates included (urlencode refuses to encode those itself).
    query = "farmerName=" + quote(text.encode("utf-8", "surrogatepass"), safe="")
    response = client.get(f"/api/v1/mills/{mill.id}/paddy-purchases?{query}", headers=headers[Role.MANAGER])
    assert response.status_code in (200, 422), response.get_json()
