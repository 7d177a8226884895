"""Milling batches: start with paddy, complete with the outputs (docs/domain.md)."""

from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from ..auth.actors import actor_of
from ..common.export import format_field
from ..common.schemas import CamelSchema, DateRangeQuerySchema, Quantity, Text, Weight
from ..common.text import Str
from ..inventory.types import MILLING_OUTPUTS
from .models import BatchStatus

# Output stock type -> batch column.
OUTPUT_COLUMNS = {t.value: f"{t.value.lower()}_kg" for t in MILLING_OUTPUTS}


class OutputsSchema(Schema):
    """{RICE, BROKEN_RICE, BRAN, HUSK} in kg: the stock types' own names, so not camelCased.

    A missing key is 0; at least one must be more than 0; unknown keys are refused.
    """

    class Meta:
        unknown = RAISE
        ordered = True

    RICE = Weight(load_default=Decimal(0))
    BROKEN_RICE = Weight(load_default=Decimal(0))
    BRAN = Weight(load_default=Decimal(0))
    HUSK = Weight(load_default=Decimal(0))

    @validates_schema
    def _something_came_out(self, data, **kwargs):
        if not any(value > 0 for value in data.values()):
            raise ValidationError("At least one output must be more than 0 kg.")


class BatchStartSchema(CamelSchema):
    variety = Text(60, allow_none=True)
    paddy_input_kg = Weight(required=True, validate=[validate.Range(min=0, min_inclusive=False)])
    notes = Text(500, allow_none=True, multiline=True)


class BatchCompleteSchema(CamelSchema):
    outputs = fields.Nested(OutputsSchema, required=True)
    notes = Text(500, allow_none=True, multiline=True)


def _outputs(batch):
    if batch.status != BatchStatus.COMPLETED:
        return None
    return {name: float(getattr(batch, column) or 0) for name, column in OUTPUT_COLUMNS.items()}


class BatchSchema(CamelSchema):
    id = fields.UUID(dump_only=True)
    variety = fields.String(dump_only=True, allow_none=True)
    paddy_input_kg = Weight(dump_only=True)
    status = fields.Enum(BatchStatus, by_value=True, dump_only=True)
    outputs = fields.Function(_outputs, dump_only=True)
    outturn_percent = Quantity(3, dump_only=True, allow_none=True)
    loss_kg = Weight(dump_only=True, allow_none=True)
    notes = fields.String(dump_only=True, allow_none=True)
    started_at = fields.DateTime(dump_only=True)
    completed_at = fields.DateTime(dump_only=True, allow_none=True)
    started_by = fields.Function(lambda batch: actor_of(batch.created_by_id), dump_only=True)
    completed_by = fields.Function(lambda batch: actor_of(batch.completed_by_id), dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class BatchQuerySchema(DateRangeQuerySchema):
    """page, perPage, status, dateFrom/dateTo (started, in the mill's days); format (csv, xlsx)."""

    format = format_field()

    status = Str(validate=validate.OneOf(BatchStatus.values()))
