"""Socket.IO event names and their payload contracts: the one source of truth (docs/realtime.md).

Names: `SERVER_EVENTS` (server → browser) and `CLIENT_EVENTS` (browser → server), served to the
browser by routes.py (`/realtime/events.js`) with a description of each payload.

Contracts: one marshmallow schema per event, extra fields refused (`unknown = RAISE`), registered
with `@server_event(name)` / `@client_event_schema(name)`. Each domain declares the payloads of its
own events in its `events.py` (purchases/events.py, ...); the events that belong to no domain
(connection, activity, replay, typing, platform) are declared below. realtime/setup.py imports them
all, so that every name has its schema before the app serves a request.

- `check_server_payload(name, payload)`: raises `EventContractError` when the payload breaks the
  contract. The outbox's `publish()` and the emitter call it when validation is on
  (`VALIDATE_EVENTS`, or the app in debug or testing mode); production skips the cost.
- `load_client_payload(name, value)`: the client event handlers validate their input with it,
  always; it raises `ClientPayloadError` with one message for the client.
"""

import numbers
from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate

SERVER_EVENTS = {
    # Connection
    "CONNECTED": "connected",
    "ERROR": "error",
    # Notifications
    "NOTIFICATION": "notification",
    # Purchase events
    "PURCHASE_CREATED": "purchase:created",
    "PURCHASE_UPDATED": "purchase:updated",
    "PURCHASE_DELETED": "purchase:deleted",
    # Sale events
    "SALE_CREATED": "sale:created",
    "SALE_UPDATED": "sale:updated",
    "SALE_DELETED": "sale:deleted",
    # Inward/Outward events
    "INWARD_CREATED": "inward:created",
    "OUTWARD_CREATED": "outward:created",
    # Milling events
    "MILLING_STARTED": "milling:started",
    "MILLING_COMPLETED": "milling:completed",
    # Stock events
    "STOCK_UPDATED": "stock:updated",
    "STOCK_LOW_ALERT": "stock:low-alert",
    # Financial events
    "PAYMENT_RECEIVED": "payment:received",
    "PAYMENT_MADE": "payment:made",
    "RECEIPT_CREATED": "receipt:created",
    # Dashboard updates
    "DASHBOARD_STATS": "dashboard:stats",
    # Activity feed
    "ACTIVITY_NEW": "activity:new",
    "ACTIVITY_TYPING": "activity:typing",
    "ACTIVITY_STOP_TYPING": "activity:stop-typing",
    # Staff events
    "ATTENDANCE_MARKED": "attendance:marked",
    "STAFF_JOINED": "staff:joined",
    "STAFF_LEFT": "staff:left",
    # Beyond the seed: answers to client events, replay, platform events
    "JOINED_MILL": "joined:mill",
    "LEFT_MILL": "left:mill",
    "SYNC_DONE": "sync:done",
    "SYNC_RESET": "sync:reset",
    "MILL_CREATED": "mill:created",
    "PLATFORM_STATS": "platform:stats",
    "MILL_POSITION": "mill:position",
    # Parties (farmers, buyers, suppliers, agents)
    "PARTY_CREATED": "party:created",
    "PARTY_UPDATED": "party:updated",
}

# The 25 names of the seed's SERVER_EVENTS, kept exactly.
SEED_SERVER_EVENT_KEYS = tuple(list(SERVER_EVENTS)[:25])

CLIENT_EVENTS = {
    "JOIN_MILL": "join:mill",
    "LEAVE_MILL": "leave:mill",
    "REQUEST_DASHBOARD": "request:dashboard",
    "ACTIVITY_TYPING": "activity:typing",
    "ACTIVITY_STOP_TYPING": "activity:stop-typing",
    "SYNC": "sync",
}

# Mill-scoped domain events: recorded with a per-mill seq and replayable with `sync`.
MILL_EVENT_NAMES = frozenset(
    SERVER_EVENTS[key]
    for key in (
        "PURCHASE_CREATED", "PURCHASE_UPDATED", "PURCHASE_DELETED",
        "SALE_CREATED", "SALE_UPDATED", "SALE_DELETED",
        "INWARD_CREATED", "OUTWARD_CREATED",
        "MILLING_STARTED", "MILLING_COMPLETED",
        "STOCK_UPDATED", "STOCK_LOW_ALERT",
        "PAYMENT_RECEIVED", "PAYMENT_MADE", "RECEIPT_CREATED",
        "ATTENDANCE_MARKED", "STAFF_JOINED", "STAFF_LEFT",
        "PARTY_CREATED", "PARTY_UPDATED",
    )
)  # fmt: skip

E = SERVER_EVENTS


# --- the contract machinery ---------------------------------------------------------------------


class EventContractError(ValueError):
    """A server event's payload does not match its schema (a bug in the code that built it)."""


class ClientPayloadError(ValueError):
    """A client event's input was refused; the message is for the client."""


class Payload(Schema):
    """A payload's schema: field names are the wire names, anything else is refused."""

    class Meta:
        unknown = RAISE
        ordered = True


class StrictInteger(fields.Integer):
    """An integer that is a JSON integer: not a bool, a float or a string."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.make_error("invalid")
        return super()._validated(value)


class Number(fields.Float):
    """A JSON number (int or float; never a string or a bool)."""

    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
            raise self.make_error("invalid")
        return super()._validated(value)


class StrictString(fields.String):
    pass


def _doc(description: str, **extra) -> dict:
    return {"description": description, **extra}


class Actor(Payload):
    """Who did it: a user as `{id, name}`."""

    id = fields.String(required=True)
    name = fields.String(required=True)


def actor_field(description: str = "the user who did it", **kwargs):
    """The documented actor field of a domain event: `{id, name}` of the user who made the change."""
    return fields.Nested(Actor, required=True, metadata=_doc(description + " ({id, name})"), **kwargs)


def document_field(description: str):
    """A document as its REST representation (the same object the API answers)."""
    return fields.Dict(required=True, metadata=_doc(description))


class MillEventPayload(Payload):
    """Every mill event's payload: its own fields plus `millId` and `seq`, added by the outbox at commit."""

    millId = fields.String(required=True, metadata=_doc("the mill"))  # noqa: N815 - wire names
    seq = StrictInteger(required=True, metadata=_doc("the mill's event number: gapless, in commit order"))


SERVER_SCHEMAS: dict[str, type[Schema]] = {}
CLIENT_SCHEMAS: dict[str, tuple[type[Schema], str | None]] = {}
_schema_cache: dict[type[Schema], Schema] = {}
_validation = {"on": False}


def server_event(name: str):
    """Register the decorated schema as the payload contract of server event `name` (one only)."""

    def register(schema: type[Schema]) -> type[Schema]:
        if name not in SERVER_EVENTS.values():
            raise ValueError(f"{name!r} is not a server event")
        if SERVER_SCHEMAS.get(name, schema) is not schema:
            raise ValueError(f"{name!r} has a schema already")
        if name in MILL_EVENT_NAMES and not issubclass(schema, MillEventPayload):
            raise ValueError(f"{name!r} is a mill event: its schema extends MillEventPayload")
        SERVER_SCHEMAS[name] = schema
        return schema

    return register


def client_event_schema(name: str, *, bare: str | None = None):
    """Register the input contract of client event `name`. `bare`: the event's argument is a bare
    value (a millId string), validated as that one field."""

    def register(schema: type[Schema]) -> type[Schema]:
        if name not in CLIENT_EVENTS.values():
            raise ValueError(f"{name!r} is not a client event")
        CLIENT_SCHEMAS[name] = (schema, bare)
        return schema

    return register


def _instance(schema: type[Schema]) -> Schema:
    if schema not in _schema_cache:
        _schema_cache[schema] = schema()
    return _schema_cache[schema]


def set_validation(on: bool) -> None:
    """Validate every server payload from now on (realtime/setup.py: VALIDATE_EVENTS, debug, testing)."""
    _validation["on"] = bool(on)


def validation_on() -> bool:
    return _validation["on"]


def validate_server_payload(name: str, payload) -> None:
    """Raise EventContractError unless `payload` matches the schema of server event `name`."""
    schema = SERVER_SCHEMAS.get(name)
    if schema is None:
        raise EventContractError(f"{name!r} has no payload schema")
    try:
        _instance(schema).load(payload)
    except ValidationError as error:
        raise EventContractError(f"{name} payload breaks its contract: {error.messages}") from None


def check_server_payload(name: str, payload) -> None:
    """`validate_server_payload` when validation is on; nothing in production."""
    if _validation["on"]:
        validate_server_payload(name, payload)


def _first_message(schema: Schema, messages) -> str:
    if isinstance(messages, dict):
        for key in (*schema.fields, *messages):
            if key in messages:
                inner = messages[key]
                if key not in schema.fields and key != "_schema":
                    return f"Unknown field: {str(key)[:40]}"
                return _first_message(schema, inner)
    if isinstance(messages, list) and messages:
        return _first_message(schema, messages[0])
    return str(messages)


def load_client_payload(name: str, value) -> dict:
    """The client event's input, validated by its schema; ClientPayloadError(message) when refused."""
    schema_cls, bare = CLIENT_SCHEMAS[name]
    schema = _instance(schema_cls)
    data = {bare: value} if bare else value
    try:
        return schema.load(data)
    except ValidationError as error:
        raise ClientPayloadError(_first_message(schema, error.messages)) from None


# --- describing the contracts for the browser ---------------------------------------------------

_TYPES = (
    (fields.Nested, "object"),
    (fields.Dict, "object"),
    (fields.List, "array"),
    (fields.Boolean, "boolean"),
    (fields.Integer, "integer"),
    (fields.Float, "number"),
    (fields.Decimal, "number"),
    (fields.String, "string"),
)


def _field_type(field: fields.Field) -> str:
    for cls, name in _TYPES:
        if isinstance(field, cls):
            return name
    return "any"


def describe_schema(schema: Schema) -> list[dict]:
    """The fields of a payload: name, type, required, nullable, description, and nested fields."""
    out = []
    for name, field in schema.fields.items():
        entry = {
            "name": field.data_key or name,
            "type": _field_type(field),
            "required": field.required,
            "nullable": field.allow_none,
        }
        if field.metadata.get("description"):
            entry["description"] = field.metadata["description"]
        for validator in field.validators:
            if isinstance(validator, validate.OneOf):
                entry["enum"] = list(validator.choices)
        if isinstance(field, fields.Nested):
            entry["fields"] = describe_schema(field.schema)
        if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            entry["items"] = describe_schema(field.inner.schema)
        out.append(entry)
    return out


def describe_events() -> dict:
    """{"server": {name: {fields, millEvent}}, "client": {name: {fields, bare}}}, for the browser."""
    server = {
        name: {"millEvent": name in MILL_EVENT_NAMES, "fields": describe_schema(_instance(schema))}
        for name, schema in sorted(SERVER_SCHEMAS.items())
    }
    client = {
        name: {"bare": bare, "fields": describe_schema(_instance(schema))}
        for name, (schema, bare) in sorted(CLIENT_SCHEMAS.items())
    }
    return {"server": server, "client": client}


# --- the events that belong to no domain ----------------------------------------------------------


@server_event(E["CONNECTED"])
class ConnectedPayload(Payload):
    userId = fields.String(required=True)  # noqa: N815
    message = fields.String(required=True)


@server_event(E["ERROR"])
class ErrorPayload(Payload):
    message = fields.String(required=True, metadata=_doc("why a client event was refused"))


class Entity(Payload):
    type = fields.String(required=True)
    id = fields.String(required=True)


@server_event(E["ACTIVITY_NEW"])
class ActivityPayload(Payload):
    """An activity entry: a recorded mill event with a summary (also GET .../activity's items)."""

    seq = StrictInteger(required=True)
    millId = fields.String(required=True)  # noqa: N815
    type = fields.String(required=True, metadata=_doc("the event name, e.g. purchase:created"))
    summary = fields.String(required=True)
    actor = fields.Nested(Actor, required=True, allow_none=True, metadata=_doc("who did it, null for the system"))
    entity = fields.Nested(Entity, required=True, allow_none=True)
    at = fields.String(required=True, allow_none=True, metadata=_doc("ISO date-time"))


@server_event(E["ACTIVITY_TYPING"])
class TypingPayload(Payload):
    user = fields.Nested(Actor, required=True)
    entity = fields.String(required=True)
    action = fields.String(required=True)


@server_event(E["ACTIVITY_STOP_TYPING"])
class StopTypingPayload(Payload):
    user = fields.Nested(Actor, required=True)


@server_event(E["JOINED_MILL"])
@server_event(E["LEFT_MILL"])
class MillIdPayload(Payload):
    millId = fields.String(required=True)  # noqa: N815


@server_event(E["SYNC_DONE"])
@server_event(E["SYNC_RESET"])
class SyncPayload(Payload):
    millId = fields.String(required=True)  # noqa: N815
    seq = StrictInteger(required=True, metadata=_doc("the last seq replayed (done) or the mill's current seq (reset)"))


@server_event(E["MILL_POSITION"])
class MillPositionPayload(Payload):
    """Where the mill stands: sent to each socket right after it connects, then every
    POSITION_INTERVAL_SECONDS by the process it is connected to. A client whose lastSeq is below
    `seq` missed something and sends `sync`."""

    millId = fields.String(required=True)  # noqa: N815
    seq = StrictInteger(required=True, metadata=_doc("the mill's last committed event seq (0: none yet)"))


@server_event(E["PLATFORM_STATS"])
class PlatformStatsPayload(Payload):
    mills = StrictInteger(required=True, metadata=_doc("active mills"))
    users = StrictInteger(required=True, metadata=_doc("active users"))
    connections = StrictInteger(required=True, metadata=_doc("sockets of `/`, every process"))
    connectedUsers = StrictInteger(required=True)  # noqa: N815
    processes = StrictInteger(required=True)


# --- client events --------------------------------------------------------------------------------

TYPING_ENTITIES = ("purchase", "sale", "inward", "outward", "milling", "payment", "receipt", "attendance", "staff")
TYPING_ACTIONS = ("creating", "editing")


def _mill_id_field():
    return StrictString(
        required=True,
        validate=validate.Length(max=64, error="millId is too long"),
        error_messages={
            "required": "Missing field: millId",
            "null": "millId must be a string",
            "invalid": "millId must be a string",
        },
        metadata=_doc("a mill the user may access"),
    )


class ClientPayload(Payload):
    error_messages = {"type": "Payload must be an object", "unknown": "Unknown field"}


@client_event_schema(CLIENT_EVENTS["JOIN_MILL"], bare="millId")
@client_event_schema(CLIENT_EVENTS["LEAVE_MILL"], bare="millId")
@client_event_schema(CLIENT_EVENTS["REQUEST_DASHBOARD"], bare="millId")
class MillIdArgument(ClientPayload):
    millId = _mill_id_field()  # noqa: N815


def _choice(name: str, choices, wrong: str):
    return StrictString(
        required=True,
        validate=validate.OneOf(choices, error=wrong),
        error_messages={"required": f"Missing field: {name}", "null": wrong, "invalid": wrong},
    )


@client_event_schema(CLIENT_EVENTS["ACTIVITY_TYPING"])
class TypingInput(ClientPayload):
    millId = _mill_id_field()  # noqa: N815
    entity = _choice("entity", TYPING_ENTITIES, "Unknown entity")
    action = _choice("action", TYPING_ACTIONS, "Unknown action")


@client_event_schema(CLIENT_EVENTS["ACTIVITY_STOP_TYPING"])
class StopTypingInput(ClientPayload):
    millId = _mill_id_field()  # noqa: N815


@client_event_schema(CLIENT_EVENTS["SYNC"])
class SyncInput(ClientPayload):
    millId = _mill_id_field()  # noqa: N815
    lastSeq = StrictInteger(  # noqa: N815
        required=True,
        validate=validate.Range(min=0, max=2**62, max_inclusive=False, error="lastSeq must be a non-negative integer"),
        error_messages={
            "required": "Missing field: lastSeq",
            "null": "lastSeq must be a non-negative integer",
            "invalid": "lastSeq must be a non-negative integer",
        },
    )
