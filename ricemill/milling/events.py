"""The milling events: their payload contracts and publish helpers (docs/realtime.md)."""

from ..realtime.events import E, MillEventPayload, actor_field, document_field, server_event
from ..realtime.outbox import publish_document_event

_BATCH = "the batch, as GET .../milling-batches/{id} returns it"


@server_event(E["MILLING_STARTED"])
class MillingStartedPayload(MillEventPayload):
    batch = document_field(_BATCH)
    startedBy = actor_field()  # noqa: N815


@server_event(E["MILLING_COMPLETED"])
class MillingCompletedPayload(MillEventPayload):
    batch = document_field(_BATCH + " (outputs, loss and outturnPercent filled)")
    completedBy = actor_field()  # noqa: N815


def publish_batch_event(name: str, actor_key: str, mill_id, batch: dict, actor, summary: str) -> None:
    publish_document_event(
        name,
        mill_id,
        "batch",
        batch,
        by=actor_key,
        actor=actor,
        summary=summary,
        entity_type="milling",
        entity_id=batch["id"],
    )


def publish_milling_started(mill_id, batch: dict, actor, summary: str) -> None:
    publish_batch_event(E["MILLING_STARTED"], "startedBy", mill_id, batch, actor, summary)


def publish_milling_completed(mill_id, batch: dict, actor, summary: str) -> None:
    publish_batch_event(E["MILLING_COMPLETED"], "completedBy", mill_id, batch, actor, summary)
