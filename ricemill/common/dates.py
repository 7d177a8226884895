"""Date rules shared by every domain (docs/domain.md, "Field rules").

A schema cannot know the mill's time zone, so "today" here is tomorrow in UTC: the latest date that
is today somewhere. Services compare with `Mill.today()` where the exact day matters.
"""

from datetime import UTC, date, datetime, timedelta

from marshmallow import ValidationError

from . import words

EARLIEST_DOCUMENT_DATE = date(2000, 1, 1)  # no mill keeps paper older than this in the app
EARLIEST_JOINING_DATE = date(1950, 1, 1)  # a long-serving hand may have joined decades ago


def latest_today() -> date:
    """The latest date that is today in some time zone."""
    return datetime.now(UTC).date() + timedelta(days=1)


def sane_date(value: date) -> None:
    """A document's date: not before 2000 and not after today (anywhere)."""
    latest = latest_today()
    if not EARLIEST_DOCUMENT_DATE <= value <= latest:
        raise ValidationError(words.between_dates(EARLIEST_DOCUMENT_DATE, latest))


def past_date(value: date) -> None:
    """A day that has happened (joining, leaving): not in the future, not before 1950."""
    if value > latest_today():
        raise ValidationError("Must not be in the future.")
    if value < EARLIEST_JOINING_DATE:
        raise ValidationError(f"Must not be before {words.day(EARLIEST_JOINING_DATE)}.")


def check_date_range(data: dict) -> None:
    """dateFrom must not be after dateTo (both inclusive)."""
    start, end = data.get("date_from"), data.get("date_to")
    if start and end and start > end:
        raise ValidationError("Must not be after the end date.", field_name="dateFrom")
