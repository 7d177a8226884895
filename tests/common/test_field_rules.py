"""The shared field rules (docs/domain.md "Field rules"): one date range rule on every list, one
text rule on every text field and filter, dates within sane bounds. Each refusal is a 422 naming the
field, with nothing written."""

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from marshmallow import Schema, fields

from ricemill.auth.roles import Role
from ricemill.common.schemas import CamelSchema, DateRangeQuerySchema
from ricemill.common.text import Str, follows_text_rule, text_problem
from ricemill.extensions import db
from ricemill.inventory.models import GoodsMovement
from ricemill.purchases.models import PaddyPurchase
from ricemill.staff.models import Staff

# Every list route taking dateFrom/dateTo ({mill} is the mill's id).
DATE_LISTS = [
    "/api/v1/mills/{mill}/paddy-purchases",
    "/api/v1/mills/{mill}/sales",
    "/api/v1/mills/{mill}/payments",
    "/api/v1/mills/{mill}/receipts",
    "/api/v1/mills/{mill}/stock/RICE",
    "/api/v1/mills/{mill}/inwards",
    "/api/v1/mills/{mill}/outwards",
    "/api/v1/mills/{mill}/milling-batches",
    "/api/v1/mills/{mill}/reports/stock-statement",
    "/api/v1/mills/{mill}/reports/purchases",
    "/api/v1/mills/{mill}/reports/sales",
    "/api/v1/mills/{mill}/reports/milling",
]
# Routes taking dates under another document's id (their own tests check the range rule).
DATE_ROUTES_OF_A_DOCUMENT = {"/api/v1/mills/<uuid:mill_id>/parties/<uuid:party_id>/ledger"}


def _errors(response) -> dict:
    body = response.get_json()
    assert body["success"] is False
    return {e["field"]: e["message"] for e in body["errors"]}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _query_schemas(app):
    """(rule, schema class) of every request argument of every API route."""
    for rule in app.url_map.iter_rules():
        apidoc = getattr(app.view_functions[rule.endpoint], "_apidoc", {})
        for argument in apidoc.get("arguments", {}).get("parameters", []):
            schema = argument["schema"]
            yield rule, argument["in"], schema if isinstance(schema, type) else type(schema)


# --- dateFrom <= dateTo ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", DATE_LISTS)
def test_date_from_after_date_to_is_422_on_every_list(client, mill, headers, path):
    url = path.format(mill=mill.id)
    assert client.get(f"{url}?dateFrom=2024-01-01&dateTo=2024-01-31", headers=headers[Role.MANAGER]).status_code == 200
    response = client.get(f"{url}?dateFrom=2024-02-01&dateTo=2024-01-31", headers=headers[Role.MANAGER])
    assert response.status_code == 422
    assert _errors(response) == {"dateFrom": "Must not be after the end date."}


@pytest.mark.parametrize("path", DATE_LISTS)
def test_the_widest_date_range_is_an_ordinary_answer(client, mill, headers, path):
    url = path.format(mill=mill.id)
    response = client.get(f"{url}?dateFrom=0001-01-01&dateTo=9999-12-31", headers=headers[Role.MANAGER])
    assert response.status_code == 200


def test_every_route_taking_date_from_uses_the_one_range_rule(app):
    taking = {}
    for rule, location, schema in _query_schemas(app):
        if location == "query" and "date_from" in schema._declared_fields:
            taking[rule.rule] = schema
    assert len(taking) >= len(DATE_LISTS)
    wrong = [
        f"{rule}: {schema.__name__}" for rule, schema in taking.items() if not issubclass(schema, DateRangeQuerySchema)
    ]
    assert not wrong, f"dateFrom/dateTo without DateRangeQuerySchema: {wrong}"
    listed = {p.replace("{mill}", "<uuid:mill_id>").replace("/RICE", "/<stock_type>") for p in DATE_LISTS}
    listed |= DATE_ROUTES_OF_A_DOCUMENT
    assert set(taking) == listed, "a new route takes dates: add it to DATE_LISTS"


# --- the text rule --------------------------------------------------------------------------------


def _walk(schema_cls, seen):
    if schema_cls in seen:
        return
    seen.add(schema_cls)
    for name, field in schema_cls._declared_fields.items():
        yield schema_cls, name, field
        inner = [field.inner] if isinstance(field, fields.List) else []
        for f in [field, *inner]:
            if isinstance(f, fields.Nested):
                nested = f.nested if isinstance(f.nested, type) else type(f.nested)
                yield from _walk(nested, seen)
            elif isinstance(f, fields.List):
                yield schema_cls, f"{name}[]", f.inner


def test_no_input_schema_has_a_plain_string_field(app):
    """Walk every body and query schema of every route (and nested ones): text always obeys the rule."""
    seen, checked, plain = set(), 0, []
    for _rule, _location, schema in _query_schemas(app):
        for owner, name, field in _walk(schema, seen):
            checked += 1
            if not follows_text_rule(field):
                plain.append(f"{owner.__name__}.{name}")
    assert checked > 100
    assert not plain, f"text fields without the text rule: {plain}"


def test_a_camel_schema_refuses_a_plain_string_field():
    class Careless(CamelSchema):
        name = fields.String()

    with pytest.raises(TypeError, match="Careless.name"):
        Careless()

    class Output(CamelSchema):  # dump-only text is fine: it is never loaded
        name = fields.String(dump_only=True)
        email = Str()

    Output()
    assert isinstance(Schema.from_dict({"x": fields.String()})._declared_fields["x"], fields.String)


@pytest.mark.parametrize(
    ("text", "multiline", "ok"),
    [
        ("Ramesh Kumar", False, True),
        ("रमेश\tकुमार ‍", False, True),  # tab and a zero-width joiner (Indic scripts need it)
        ("line\nbreak", True, True),
        ("line\r\nbreak", True, True),
        ("line\nbreak", False, False),
        ("a\x00b", True, False),
        ("a\ud800b", True, False),
        ("bell\x07", True, False),
        ("esc\x1b[31m", True, False),
        ("del\x7f", True, False),
        ("c1\x85", True, False),
        ("\ufeffbom", True, False),
        ("sep\u2028", True, False),
        ("rlo\u202e", True, False),
    ],
)
def test_text_rule(text, multiline, ok):
    assert (text_problem(text, multiline=multiline) is None) is ok


BAD_TEXT = {
    "nul": ("Ram\x00esh", "Must not contain control characters (found U+0000)."),
    "surrogate": ("Ram\ud800esh", "Must not contain an unpaired surrogate (invalid Unicode)."),
    "control": ("Ram\x1besh", "Must not contain control characters (found U+001B)."),
    "newline": ("Ram\nesh", "Must be a single line."),
    "too long": ("R" * 121, "Length must be between 1 and 120."),
}


def _purchase(**overrides) -> dict:
    body = {"farmerName": "Ramesh", "grossWeightKg": 1000, "moisturePercent": 17, "ratePerQuintal": 2200}
    return {**body, **overrides}


@pytest.mark.parametrize("case", BAD_TEXT)
def test_bad_text_in_a_body_field_is_422_naming_it_and_nothing_written(client, mill, headers, case):
    text, message = BAD_TEXT[case]
    url = f"/api/v1/mills/{mill.id}/paddy-purchases"
    before = _count(PaddyPurchase)
    # json.dumps writes the lone surrogate as the escape \ud800, as a browser's JSON.stringify would.
    response = client.post(
        url,
        data=json.dumps(_purchase(farmerName=text)),
        content_type="application/json",
        headers=headers[Role.OPERATOR],
    )
    assert response.status_code == 422
    assert _errors(response) == {"farmerName": message}
    assert _count(PaddyPurchase) == before


def test_multi_line_fields_keep_newlines_single_line_ones_refuse_them(client, mill, headers):
    url = f"/api/v1/mills/{mill.id}/inwards"
    body = {"stockType": "PADDY", "quantityKg": 100, "notes": "first line\nsecond line"}
    response = client.post(url, json=body, headers=headers[Role.OPERATOR])
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["data"]["notes"] == "first line\nsecond line"
    before = _count(GoodsMovement)
    response = client.post(url, json={**body, "partyName": "Traders\nLtd"}, headers=headers[Role.OPERATOR])
    assert response.status_code == 422
    assert _errors(response) == {"partyName": "Must be a single line."}
    assert _count(GoodsMovement) == before


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/paddy-purchases", "farmerName"),
        ("/paddy-purchases", "village"),
        ("/sales", "buyerName"),
        ("/receipts", "partyName"),
        ("/inwards", "partyName"),
        ("/outwards", "partyName"),
        ("/staff", "designation"),
    ],
)
@pytest.mark.parametrize("value", ["%00", "a%1Bb", "x" * 121])
def test_bad_text_in_a_query_filter_is_422_naming_it(client, mill, headers, path, param, value):
    response = client.get(f"/api/v1/mills/{mill.id}{path}?{param}={value}", headers=headers[Role.MANAGER])
    assert response.status_code == 422
    assert list(_errors(response)) == [param]


# --- dates within sane bounds ---------------------------------------------------------------------


@pytest.mark.parametrize("joined_on", ["9999-12-31", (date.today() + timedelta(days=3)).isoformat()])
def test_future_joined_on_is_422_and_nothing_written(client, mill, headers, joined_on):
    url = f"/api/v1/mills/{mill.id}/staff"
    before = _count(Staff)
    body = {"name": "Suresh", "dailyWage": 500, "joinedOn": joined_on}
    response = client.post(url, json=body, headers=headers[Role.MANAGER])
    assert response.status_code == 422
    assert _errors(response) == {"joinedOn": "Must not be in the future."}
    assert _count(Staff) == before

    created = client.post(url, json={"name": "Suresh", "dailyWage": 500}, headers=headers[Role.MANAGER])
    assert created.status_code == 201
    staff = created.get_json()["data"]
    response = client.patch(f"{url}/{staff['id']}", json={"joinedOn": joined_on}, headers=headers[Role.MANAGER])
    assert response.status_code == 422
    assert _errors(response) == {"joinedOn": "Must not be in the future."}
    db.session.expire_all()
    assert db.session.get(Staff, staff["id"]).joined_on.isoformat() == staff["joinedOn"]


def test_joined_on_after_the_mills_today_is_refused_by_the_service(client, mill, headers):
    """The schema allows up to tomorrow in UTC (today somewhere); the service holds the mill's today."""
    tomorrow = mill.today() + timedelta(days=1)
    body = {"name": "Suresh", "dailyWage": 500, "joinedOn": tomorrow.isoformat()}
    response = client.post(f"/api/v1/mills/{mill.id}/staff", json=body, headers=headers[Role.MANAGER])
    assert response.status_code == 422
    assert _errors(response) == {"joinedOn": "Must not be in the future."}


@pytest.mark.parametrize("value", ["1999-12-31", "9999-12-31"])
def test_absurd_document_dates_are_422_with_a_readable_message(client, mill, headers, value):
    url = f"/api/v1/mills/{mill.id}/paddy-purchases"
    response = client.post(url, json=_purchase(purchaseDate=value), headers=headers[Role.OPERATOR])
    assert response.status_code == 422
    message = _errors(response)["purchaseDate"]
    assert message.startswith("Must be between 1 Jan 2000 and ") and "-" not in message


def test_text_lengths_are_the_columns(app):
    """Every text field a body writes is at most as long as its String(n) column (checked before the database)."""
    from marshmallow import validate

    from ricemill.auth.models import User
    from ricemill.auth.schemas import UserCreateSchema, UserUpdateSchema
    from ricemill.finance.models import Payment
    from ricemill.finance.schemas import PaymentSchema
    from ricemill.inventory.models import StockAdjustment
    from ricemill.inventory.schemas import AdjustmentCreateSchema, GoodsMovementCreateSchema
    from ricemill.milling.models import MillingBatch
    from ricemill.milling.schemas import BatchCompleteSchema, BatchStartSchema
    from ricemill.mills.models import Mill
    from ricemill.mills.schemas import MillCreateSchema, MillUpdateSchema
    from ricemill.notifications.models import Notification
    from ricemill.notifications.schemas import BroadcastSchema
    from ricemill.purchases.schemas import PurchaseSchema
    from ricemill.sales.models import Sale
    from ricemill.sales.schemas import SaleSchema
    from ricemill.staff.schemas import StaffCreateSchema, StaffUpdateSchema

    pairs = [
        (PurchaseSchema, PaddyPurchase), (SaleSchema, Sale), (PaymentSchema, Payment),
        (GoodsMovementCreateSchema, GoodsMovement), (AdjustmentCreateSchema, StockAdjustment),
        (BatchStartSchema, MillingBatch), (BatchCompleteSchema, MillingBatch), (StaffCreateSchema, Staff),
        (StaffUpdateSchema, Staff), (MillCreateSchema, Mill), (MillUpdateSchema, Mill),
        (UserCreateSchema, User), (UserUpdateSchema, User), (BroadcastSchema, Notification),
    ]  # fmt: skip
    checked, too_long = 0, []
    for schema_cls, model in pairs:
        columns = model.__table__.columns
        for name, field in schema_cls._declared_fields.items():
            if not isinstance(field, Str) or field.dump_only or name not in columns:
                continue
            length = getattr(columns[name].type, "length", None)
            if length is None:
                continue
            maxima = [v.max for v in field.validators if isinstance(v, validate.Length) and v.max is not None]
            regexp_bounded = any(  # a closed list, or an anchored pattern with bounded repeats
                isinstance(v, validate.OneOf) or (isinstance(v, validate.Regexp) and v.regex.pattern.endswith("}$"))
                for v in field.validators
            )
            checked += 1
            if not (maxima and min(maxima) <= length) and not regexp_bounded:
                too_long.append(f"{schema_cls.__name__}.{name} (column {length})")
    assert checked > 30
    assert not too_long, f"text fields that may exceed their column: {too_long}"
