"""Milling batches: start takes the paddy, complete adds the outputs once.

Completing locks the batch row (SELECT ... FOR UPDATE), so of two concurrent completions the second
waits, then sees COMPLETED and is refused with 409: the outputs are never added twice.
"""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from ..common import words
from ..common.constants import KG
from ..common.errors import Conflict, Invalid
from ..common.listing import date_range, search_filter_sort_paginate
from ..common.tenancy import get_mill_document
from ..extensions import db
from ..inventory.stock import apply_movement
from ..inventory.types import StockType
from .events import publish_milling_completed, publish_milling_started
from .models import BatchStatus, MillingBatch
from .schemas import OUTPUT_COLUMNS, BatchSchema

REF_TYPE = "milling_batch"


def batch_dict(batch: MillingBatch) -> dict:
    return BatchSchema().dump(batch)


def get_batch(*, mill, batch_id, for_update: bool = False) -> MillingBatch:
    return get_mill_document(MillingBatch, mill.id, batch_id, for_update=for_update, label="Milling batch")


def list_batches(*, mill, query: dict) -> tuple[list[MillingBatch], dict]:
    """A page of the mill's batches, newest first; dateFrom/dateTo are the mill's days they started."""
    return search_filter_sort_paginate(
        sa.select(MillingBatch).where(MillingBatch.mill_id == mill.id),
        query,
        filters={
            **date_range(MillingBatch.started_at, timezone=mill.timezone),
            "status": lambda value: MillingBatch.status == BatchStatus(value),
        },
        sort=(MillingBatch.started_at.desc(), MillingBatch.id),
    )


def _summary(text: str) -> str:
    return text[:300]  # mill_events.summary is 300 characters


def start_batch(*, mill, data: dict, actor) -> MillingBatch:
    """A batch IN_PROGRESS that takes `paddyInputKg` from PADDY (409, nothing written, when short)."""
    batch = MillingBatch(
        mill_id=mill.id,
        variety=data.get("variety"),
        paddy_input_kg=data["paddy_input_kg"],
        status=BatchStatus.IN_PROGRESS,
        notes=data.get("notes"),
        created_by_id=actor.id,
    )
    db.session.add(batch)
    db.session.flush()
    variety = f" of {batch.variety}" if batch.variety else ""
    publish_milling_started(
        mill.id,
        batch_dict(batch),
        actor,
        _summary(f"{actor.name} started milling {words.kg_q(batch.paddy_input_kg)} of paddy{variety}"),
    )
    apply_movement(
        mill_id=mill.id,
        stock_type=StockType.PADDY,
        change=-batch.paddy_input_kg,
        reason="milling started",
        actor=actor,
        ref_type=REF_TYPE,
        ref_id=batch.id,
    )
    return batch


def complete_batch(*, mill, batch_id, data: dict, actor) -> MillingBatch:
    """Record the outputs, loss and outturn; add each output to its stock. Only once (409 after)."""
    batch = get_batch(mill=mill, batch_id=batch_id, for_update=True)
    if batch.status != BatchStatus.IN_PROGRESS:
        raise Conflict("This milling batch is already completed")
    outputs = {name: Decimal(data["outputs"][name]).quantize(KG, ROUND_HALF_UP) for name in OUTPUT_COLUMNS}
    total = sum(outputs.values())
    if total > batch.paddy_input_kg:
        raise Invalid(
            "The outputs exceed the paddy input",
            errors=[
                {
                    "field": "outputs",
                    "message": f"The outputs total {words.kg(total, exact=True)}, more than the"
                    f" {words.kg(batch.paddy_input_kg, exact=True)} of paddy milled",
                }
            ],
        )
    for name, column in OUTPUT_COLUMNS.items():
        setattr(batch, column, outputs[name])
    batch.loss_kg = batch.paddy_input_kg - total
    batch.outturn_percent = (outputs["RICE"] / batch.paddy_input_kg * 100).quantize(KG, ROUND_HALF_UP)
    batch.status = BatchStatus.COMPLETED
    batch.completed_at = datetime.now(UTC)
    batch.completed_by_id = actor.id
    if data.get("notes") is not None:
        batch.notes = data["notes"]
    db.session.flush()
    variety = f" of {batch.variety}" if batch.variety else ""
    publish_milling_completed(
        mill.id,
        batch_dict(batch),
        actor,
        _summary(
            f"{actor.name} completed milling {words.kg_q(batch.paddy_input_kg)} of paddy{variety}: "
            f"{words.kg_q(outputs['RICE'])} of rice, outturn {words.percent(batch.outturn_percent)}"
        ),
    )
    for name, amount in outputs.items():
        if amount > 0:
            apply_movement(
                mill_id=mill.id,
                stock_type=StockType(name),
                change=amount,
                reason="milling completed",
                actor=actor,
                ref_type=REF_TYPE,
                ref_id=batch.id,
            )
    return batch
