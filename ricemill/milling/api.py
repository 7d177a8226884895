"""Milling batches of a mill: start (takes paddy), complete (adds rice and by-products)."""

from flask import g

from ..auth.access import mill_access
from ..auth.roles import Permission
from ..common.blueprint import Blueprint
from ..common.envelope import created, envelope, ok
from ..common.export import Column, export, schema_columns, stream_models
from ..common.words import label
from . import service
from .schemas import OUTPUT_COLUMNS, BatchCompleteSchema, BatchQuerySchema, BatchSchema, BatchStartSchema

blp = Blueprint("milling", __name__, url_prefix="/api/v1/mills", description="Milling batches")


@blp.route("/<uuid:mill_id>/milling-batches", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(BatchQuerySchema, location="query")
@blp.response(200, envelope(BatchSchema, many=True))
def list_batches(query, mill_id):
    """Batches, newest first; filters status, dateFrom, dateTo (the day a batch started).

    `?format=csv|xlsx`: every filtered batch, one row each, its outputs flattened into columns
    (`RICE` -> "Rice (kg)", ...; empty while the batch is in progress).
    """
    items, meta = service.list_batches(mill=g.mill, query=query)
    if meta is None:  # ?format=csv|xlsx: every filtered row, not one page
        return export(query["format"], "milling-batches", batch_columns(), stream_models(items, flat_batch))
    return ok(items, meta=meta)


_BATCH_SCHEMA = BatchSchema()


def output_key(stock_type: str) -> str:
    """The export column of an output: RICE -> outputRiceKg."""
    return "output" + "".join(part.title() for part in stock_type.split("_")) + "Kg"


def batch_columns() -> list[Column]:
    """The batch's columns with `outputs` replaced by one column per output, in place."""
    columns = []
    for column in schema_columns(BatchSchema()):
        if column.key != "outputs":
            columns.append(column)
            continue
        columns += [Column(output_key(name), f"{label(name)} (kg)", "kg") for name in OUTPUT_COLUMNS]
    return columns


def flat_batch(batch) -> dict:
    """A batch as the JSON's row with its outputs object spread into the output columns."""
    row = _BATCH_SCHEMA.dump(batch)
    outputs = row.pop("outputs") or {}
    for name in OUTPUT_COLUMNS:
        row[output_key(name)] = outputs.get(name)
    return row


@blp.route("/<uuid:mill_id>/milling-batches", methods=["POST"])
@mill_access(Permission.CREATE)
@blp.arguments(BatchStartSchema)
@blp.response(201, envelope(BatchSchema))
def start_batch(data, mill_id):
    """Start a batch: takes paddyInputKg from PADDY stock (409, nothing written, when there is not enough)."""
    batch = service.start_batch(mill=g.mill, data=data, actor=g.user)
    return created(batch, "Milling batch started")


@blp.route("/<uuid:mill_id>/milling-batches/<uuid:batch_id>", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(BatchSchema))
def get_batch(mill_id, batch_id):
    """One batch; `outputs` is null until it is completed."""
    return ok(service.get_batch(mill=g.mill, batch_id=batch_id))


@blp.route("/<uuid:mill_id>/milling-batches/<uuid:batch_id>/complete", methods=["POST"])
@mill_access(Permission.CREATE)
@blp.arguments(BatchCompleteSchema)
@blp.response(200, envelope(BatchSchema))
def complete_batch(data, mill_id, batch_id):
    """Complete a batch with its outputs {RICE, BROKEN_RICE, BRAN, HUSK} in kg.

    The outputs together may not exceed the input (422). The server computes lossKg (input − outputs)
    and outturnPercent (RICE / input × 100) and adds each output to its stock. Only once: 409 after.
    """
    batch = service.complete_batch(mill=g.mill, batch_id=batch_id, data=data, actor=g.user)
    return ok(batch, "Milling batch completed")
