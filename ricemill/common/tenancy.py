"""The one helper that loads a mill's document, or answers 404."""

import uuid

import sqlalchemy as sa

from ..extensions import db
from .errors import NotFound


def get_mill_document(model, mill_id, document_id, *, for_update: bool = False, label: str | None = None):
    """`model` row `document_id` of mill `mill_id`; NotFound when missing or of another mill.

    `for_update=True` locks the row until commit (for changes that must not race).
    """
    try:
        document_id = uuid.UUID(str(document_id))
    except ValueError:
        raise NotFound(f"{label or model.__name__} not found") from None
    stmt = sa.select(model).where(model.id == document_id, model.mill_id == mill_id)
    if for_update:
        stmt = stmt.with_for_update()
    row = db.session.execute(stmt).scalar_one_or_none()
    if row is None:
        raise NotFound(f"{label or model.__name__} not found")
    return row
