"""Filters shared by the list routes."""

import sqlalchemy as sa


def contains(column, text: str):
    """Case-insensitive substring match with the LIKE wildcards in `text` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def within_dates(stmt: sa.Select, column, filters: dict) -> sa.Select:
    """`stmt` limited to `filters`' dateFrom..dateTo (keys date_from, date_to; both inclusive).

    The domains' lists use `common.listing.date_range` through `search_filter_sort_paginate`; this
    stays for a query built outside a list (a report's totals).
    """
    if filters.get("date_from") is not None:
        stmt = stmt.where(column >= filters["date_from"])
    if filters.get("date_to") is not None:
        stmt = stmt.where(column <= filters["date_to"])
    return stmt
