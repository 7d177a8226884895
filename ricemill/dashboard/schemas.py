"""The dashboard and activity shapes, for the OpenAPI document.

The service already builds JSON-ready camelCase dicts (the same dict goes out as `dashboard:stats`
over Socket.IO), so these are plain marshmallow schemas whose field names *are* the wire names.
"""

from marshmallow import Schema, fields, validate

from ..common.schemas import CamelSchema
from ..inventory.types import StockType
from .service import ACTIVITY_DEFAULT_LIMIT, ACTIVITY_MAX_LIMIT


class DashboardTotalsSchema(Schema):
    count = fields.Integer()
    kg = fields.Float()
    amount = fields.Float(metadata={"description": "rupees"})


class DashboardTodaySchema(Schema):
    purchases = fields.Nested(DashboardTotalsSchema, metadata={"description": "paddy purchases dated today (net kg)"})
    sales = fields.Nested(DashboardTotalsSchema, metadata={"description": "sales dated today (all stock types)"})


class DashboardStockLineSchema(Schema):
    stockType = fields.String(metadata={"enum": StockType.values()})  # noqa: N815 - wire names
    quantity = fields.Float()
    minStockLevel = fields.Float()  # noqa: N815
    low = fields.Boolean(metadata={"description": "at or below a non-zero minimum"})
    severity = fields.String(allow_none=True, metadata={"enum": ["critical", "high", "medium"]})


class DashboardMillingSchema(Schema):
    inProgress = fields.Integer()  # noqa: N815
    completedToday = fields.Integer()  # noqa: N815
    paddyInputKgToday = fields.Float()  # noqa: N815
    riceKgToday = fields.Float()  # noqa: N815
    outturnPercentToday = fields.Float(  # noqa: N815
        allow_none=True, metadata={"description": "rice / paddy input × 100 of the batches completed today"}
    )


class DashboardFinanceSchema(Schema):
    receivables = fields.Float(metadata={"description": "sales amount − paid, all unpaid sales"})
    payables = fields.Float(metadata={"description": "purchase amount − paid, all unpaid purchases"})


class DashboardStaffSchema(Schema):
    active = fields.Integer(metadata={"description": "on the roster today"})
    present = fields.Integer(metadata={"description": "marked PRESENT or HALF_DAY today"})
    halfDay = fields.Integer(metadata={"description": "of `present`, the half days"})  # noqa: N815


class ActivityActorSchema(Schema):
    id = fields.String()
    name = fields.String()


class ActivityEntitySchema(Schema):
    type = fields.String()
    id = fields.String()


class ActivitySchema(Schema):
    """One activity entry: a recorded event with a summary (the `activity:new` shape)."""

    seq = fields.Integer()
    millId = fields.String()  # noqa: N815
    type = fields.String(metadata={"description": "the event name, e.g. purchase:created"})
    summary = fields.String()
    actor = fields.Nested(ActivityActorSchema, allow_none=True)
    entity = fields.Nested(ActivityEntitySchema, allow_none=True)
    at = fields.String(metadata={"format": "date-time"})


class DashboardSeriesDaySchema(Schema):
    date = fields.String(metadata={"format": "date"})
    purchasedKg = fields.Float()  # noqa: N815
    soldKg = fields.Float()  # noqa: N815


class DashboardSchema(Schema):
    """The mill at a glance; "today" is the mill's date in its time zone."""

    millId = fields.String()  # noqa: N815
    date = fields.String(metadata={"format": "date"})
    timezone = fields.String()
    generatedAt = fields.String(metadata={"format": "date-time"})  # noqa: N815
    today = fields.Nested(DashboardTodaySchema)
    stock = fields.List(fields.Nested(DashboardStockLineSchema))
    lowStockAlerts = fields.Integer()  # noqa: N815
    milling = fields.Nested(DashboardMillingSchema)
    finance = fields.Nested(DashboardFinanceSchema)
    staff = fields.Nested(DashboardStaffSchema)
    recentActivity = fields.List(fields.Nested(ActivitySchema), metadata={"description": "newest first, 10"})  # noqa: N815
    series = fields.List(
        fields.Nested(DashboardSeriesDaySchema), metadata={"description": "30 days, oldest first, zeros included"}
    )


class ActivityQuerySchema(CamelSchema):
    after = fields.Integer(validate=validate.Range(min=0))
    limit = fields.Integer(load_default=ACTIVITY_DEFAULT_LIMIT, validate=validate.Range(min=1, max=ACTIVITY_MAX_LIMIT))
