import sqlalchemy as sa

from ..extensions import db


def paginate(stmt, *, page: int, per_page: int, rows: bool = False) -> tuple[list, dict]:
    """Rows of `stmt` for one page, and the envelope's `meta`; `rows=True` keeps tuples (multi-entity)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    page_stmt = stmt.limit(per_page).offset((page - 1) * per_page)
    items = db.session.execute(page_stmt).all() if rows else db.session.scalars(page_stmt).all()
    return items, {"page": page, "per_page": per_page, "total": total}


def totals(stmt, **sums) -> dict:
    """Sums over every row `stmt` selects (all pages, after its filters), for a list's `meta.totals`.

    Each keyword is the wire name and a function of the rows' columns giving the summed expression:
    `totals(stmt, amount=lambda c: c.amount)`. No rows → 0.
    """
    rows = stmt.order_by(None).subquery()
    exprs = [sa.func.coalesce(sa.func.sum(build(rows.c)), 0).label(name) for name, build in sums.items()]
    values = db.session.execute(sa.select(*exprs)).one()._mapping
    return {name: float(values[name]) for name in sums}
