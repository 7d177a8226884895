"""Milling batches of a mill: start (takes paddy), complete (adds rice and by-products)."""

from flask import g
from flask_smorest import Blueprint

from ..auth.access import mill_access
from ..auth.roles import Permission
from ..common.envelope import created, envelope, ok
from . import service
from .schemas import BatchCompleteSchema, BatchQuerySchema, BatchSchema, BatchStartSchema

blp = Blueprint("milling", __name__, url_prefix="/api/v1/mills", description="Milling batches")


@blp.route("/<uuid:mill_id>/milling-batches", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(BatchQuerySchema, location="query")
@blp.response(200, envelope(BatchSchema, many=True))
def list_batches(query, mill_id):
    """Batches, newest first; filters status, dateFrom, dateTo (the day a batch started)."""
    items, meta = service.list_batches(mill=g.mill, query=query)
    return ok(items, meta=meta)


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
