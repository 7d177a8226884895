import sqlalchemy as sa

from ..extensions import db


def paginate(stmt, *, page: int, per_page: int) -> tuple[list, dict]:
    """Rows of `stmt` for one page, and the envelope's `meta`."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return items, {"page": page, "per_page": per_page, "total": total}
