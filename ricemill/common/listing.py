"""One list query: filter, sort, paginate (after Netflix dispatch's `search_filter_sort_paginate`).

Every list route parses its query with a `PageQuerySchema` (or `DateRangeQuerySchema`) subclass and
hands the loaded dict to its domain service, which names its base statement (the mill's rows), a
filter per query key and the order, and calls `search_filter_sort_paginate`. A filter is a function
of the query value giving a WHERE clause (or None: no condition); absent, None and "" values are
skipped. The answer is `(items, meta)` with `meta = {page, per_page, total}` (the envelope's).
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from .filters import contains
from .pagination import paginate, totals

Filter = Callable[[Any], Any]


def substring(column) -> Filter:
    """Contains the text, any case, LIKE wildcards taken literally."""
    return lambda value: contains(column, value)


def equal(column) -> Filter:
    return lambda value: column == value


def equal_any_case(column) -> Filter:
    """Equal ignoring case and surrounding spaces."""
    return lambda value: sa.func.lower(column) == value.strip().lower()


def day_start(timezone: str, day: date) -> datetime:
    """The instant `day` begins in `timezone`."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone))


def date_range(column, *, timezone: str | None = None) -> dict[str, Filter]:
    """`date_from`/`date_to` filters (inclusive) on a DATE column, or on a timestamp column by the
    days of `timezone` (the mill's: a batch started at 00:30 IST is on that IST day)."""
    if timezone is None:
        return {"date_from": lambda day: column >= day, "date_to": lambda day: column <= day}
    return {
        "date_from": lambda day: column >= day_start(timezone, day),
        # date.max has no next day: up to it is no bound at all.
        "date_to": lambda day: None if day == date.max else column < day_start(timezone, day + timedelta(days=1)),
    }


def within_dates(column, date_from: date | None, date_to: date | None, *, timezone: str | None = None) -> list:
    """The conditions of `date_range` for a query built outside a list (a report, a ledger): None is
    no bound."""
    filters = date_range(column, timezone=timezone)
    bounds = (("date_from", date_from), ("date_to", date_to))
    conditions = (filters[key](day) for key, day in bounds if day is not None)
    return [condition for condition in conditions if condition is not None]


def apply_filters(stmt: sa.Select, query: Mapping, filters: Mapping[str, Filter]) -> sa.Select:
    for key, build in filters.items():
        value = query.get(key)
        if value is None or value == "":
            continue
        clause = build(value)
        if clause is not None:
            stmt = stmt.where(clause)
    return stmt


def search_filter_sort_paginate(
    stmt: sa.Select,
    query: Mapping,
    *,
    filters: Mapping[str, Filter] | None = None,
    sort: Sequence = (),
    rows: bool = False,
    sums: Mapping[str, Callable] | None = None,
) -> tuple[list, dict]:
    """One page of `stmt` filtered by `query` through `filters`, ordered by `sort` (end with a unique
    column so pages never overlap). `rows=True` for multi-entity selects (tuples, not scalars).
    `sums` ({wire name: fn(columns) → expression}) adds `meta.totals` over every filtered row."""
    stmt = apply_filters(stmt, query, filters or {})
    if sort:
        stmt = stmt.order_by(*sort)
    if query.get("format", "json") != "json":
        # An export (?format=csv|xlsx): every filtered row, in order, not one page. The route
        # streams it (ricemill.common.export.export_list); meta None tells it so.
        return stmt, None
    items, meta = paginate(stmt, page=query["page"], per_page=query["per_page"], rows=rows)
    if sums:
        meta["totals"] = totals(stmt, **sums)
    return items, meta
