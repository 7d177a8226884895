"""Lists and reports as CSV or XLSX: one table definition, the same rows as the JSON.

- CSV (`?format=csv`): UTF-8 with a byte-order mark so Excel opens it as UTF-8 (₹, names in
  Indian scripts), a header row of readable column names, then every row that matches the filters
  (not one page), streamed as it is read from a server-side cursor: memory stays flat however many
  rows there are.
- XLSX (`?format=xlsx`): XlsxWriter in `constant_memory` mode, which writes each row to a temporary
  file as it comes and keeps only one row in memory, so 100,000 rows cost what 100 do; the finished
  workbook is then sent from that file in chunks. Numbers are numbers and dates are dates in Excel;
  a list's timestamps are ISO text with their offset, as in its JSON (an Excel cell has no time
  zone); a report's are Excel date-times.
"""

import csv
import enum
import io
import json
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import xlsxwriter
from flask import Response, stream_with_context
from marshmallow import fields, validate

from ..extensions import db
from .text import Str

BOM = "\ufeff"
FORMATS = ("json", "csv", "xlsx")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text, number, money, kg, date, datetime, int


def json_value(value):
    """A cell as the JSON API shows it: numbers as numbers, dates ISO, ids as strings."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "value") and not isinstance(value, (int, float, str)):
        return value.value  # an enum
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v) for v in value]
    return value


def csv_value(value) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")  # the exact decimal the database holds, with its places
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, dict):  # a person ({id, name}) reads as the name; anything else as JSON
        return str(value["name"]) if "name" in value else json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        # the exact decimal the database holds, never a binary float's digits
        return format(Decimal(str(value)), "f")
    return str(value)


def _filename(name: str, extension: str) -> str:
    return f'attachment; filename="{name}.{extension}"'


EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year quirk folded in)
_CHUNK_ROWS = 1000  # CSV rows per chunk sent
BATCH_ROWS = 2000  # rows per fetch from the server-side cursor


def _dict_cells(columns: list[Column], rows: Iterable[dict]) -> Iterator[list]:
    keys = [c.key for c in columns]
    for row in rows:
        yield [row.get(k) for k in keys]


def csv_response(name: str, columns: list[Column], rows: Iterable[dict], *, cells: Iterable | None = None) -> Response:
    """`rows` are dicts keyed by the columns' keys; or `cells`, rows already in column order whose
    values the csv module writes as they are (None as empty) -- the fast path of `export_list`."""
    if cells is None:
        cells = ([csv_value(v) for v in row] for row in _dict_cells(columns, rows))

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write(BOM)
        writer.writerow([c.header for c in columns])
        for index, row in enumerate(cells, 1):
            writer.writerow(row)
            if index % _CHUNK_ROWS == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": _filename(name, "csv")},
    )


def _excel_serial(value) -> float:
    """A date or datetime as Excel's day number (what XlsxWriter's write_datetime writes)."""
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
        delta = value - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return float((value - EXCEL_EPOCH).days)


def _xlsx_writers(sheet, columns: list[Column], formats: dict, *, typed: bool) -> list[Callable]:
    """One writer per column, chosen once: `writer(row, col, value)` for a value that is not None.
    `typed`: the values are the database's (Decimal, date, datetime, enum); else they may be the
    JSON's (an ISO date string) and each is looked at."""
    number, string = sheet.write_number, sheet.write_string
    writers = []
    for column in columns:
        fmt = formats.get(column.kind)
        if column.kind in ("money", "kg", "number", "int"):
            writers.append(lambda r, c, v, fmt=fmt: number(r, c, float(v), fmt))
        elif column.kind == "date" and typed:
            writers.append(lambda r, c, v, fmt=fmt: number(r, c, _excel_serial(v), fmt))
        elif column.kind == "date":
            writers.append(
                lambda r, c, v, fmt=fmt: (
                    number(r, c, _excel_serial(v), fmt) if isinstance(v, date) else string(r, c, csv_value(v))
                )
            )
        elif column.kind == "datetime" and typed:  # a list's timestamp: ISO text with its offset, as its JSON
            writers.append(lambda r, c, v: string(r, c, v if isinstance(v, str) else v.isoformat()))
        elif column.kind == "datetime":  # a report's: an Excel date and time (UTC), text when it is text
            writers.append(
                lambda r, c, v, fmt=fmt: (
                    number(r, c, _excel_serial(v), fmt) if isinstance(v, datetime) else string(r, c, csv_value(v))
                )
            )
        elif typed:
            writers.append(lambda r, c, v: string(r, c, v if isinstance(v, str) else csv_value(v)))
        else:
            writers.append(lambda r, c, v: string(r, c, csv_value(v)))
    return writers


def xlsx_response(
    name: str, columns: list[Column], rows: Iterable[dict], title: str | None = None, *, cells: Iterable | None = None
) -> Response:
    """`rows` are dicts keyed by the columns' keys; or `cells`, rows in column order holding the
    database's values (the fast path of `export_list`)."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response generator
    workbook = xlsxwriter.Workbook(spool, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    sheet = workbook.add_worksheet((title or name)[:31])
    bold = workbook.add_format({"bold": True})
    formats = {
        "money": workbook.add_format({"num_format": "#,##,##0.00"}),
        "kg": workbook.add_format({"num_format": "#,##,##0.000"}),
        "number": workbook.add_format({"num_format": "0.000"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    }
    for col, column in enumerate(columns):
        sheet.write_string(0, col, column.header, bold)
        sheet.set_column(col, col, max(12, len(column.header) + 2))
    writers = _xlsx_writers(sheet, columns, formats, typed=cells is not None)
    for r, row in enumerate(_dict_cells(columns, rows) if cells is None else cells, 1):
        for col, value in enumerate(row):
            if value is not None:
                writers[col](r, col, value)
    workbook.close()
    spool.seek(0)

    def generate():
        try:
            while chunk := spool.read(64 * 1024):
                yield chunk
        finally:
            spool.close()

    return Response(generate(), mimetype=XLSX_MIME, headers={"Content-Disposition": _filename(name, "xlsx")})


def export(fmt: str, name: str, columns: list[Column], rows: Iterable[dict]) -> Response:
    if fmt == "csv":
        return csv_response(name, columns, rows)
    return xlsx_response(name, columns, rows)


def stream_models(stmt, to_row: Callable[[object], dict], batch: int = 500):
    """Rows of a select, fetched `batch` at a time through a server-side cursor."""
    result = db.session.execute(stmt.execution_options(yield_per=batch))
    for item in result.scalars():
        yield to_row(item)


def _stream_rows(stmt, batch: int) -> Iterator:
    """Plain rows of a Core select, `batch` at a time through a server-side cursor. The cursor opens
    when the first row is asked for, inside the streamed response (the request's transaction has
    ended by then: a cursor opened in the view would be closed under the stream)."""
    yield from db.session.execute(stmt.execution_options(yield_per=batch))


# Fields whose JSON is the column's value itself (numbers, text, ids, dates, enums by value):
# exported straight from the database's row, with no schema and no ORM object per row.
_PLAIN_FIELDS = (fields.UUID, fields.String, fields.Decimal, fields.Integer, fields.Boolean, fields.Date)
_PLAIN_FIELDS += (fields.DateTime, fields.Enum)


def _plain_columns(stmt, schema) -> list | None:
    """The table columns behind every field of `schema`, when `stmt` selects one mapped entity and
    each field is a plain column of it; else None (the list is dumped row by row by its schema)."""
    descriptions = stmt.column_descriptions
    if (
        len(descriptions) != 1
        or descriptions[0].get("entity") is None
        or descriptions[0]["expr"] is not descriptions[0]["entity"]
    ):
        return None
    entity = descriptions[0]["entity"]
    mapper = sa.inspect(entity)
    # A model may give SQL for properties its schema shows (Sale.invoice_number: "2026-27/0001").
    expressions = getattr(entity, "EXPORT_EXPRESSIONS", {})
    columns = []
    for name, field in schema.dump_fields.items():
        attr = field.attribute or name
        if not isinstance(field, _PLAIN_FIELDS) or (isinstance(field, fields.Enum) and not field.by_value):
            return None
        if attr in mapper.columns:
            columns.append(mapper.columns[attr])
        elif attr in expressions:
            columns.append(expressions[attr])
        else:
            return None
    return columns


def _csv_cells(rows, fields_: list) -> Iterator[list]:
    """Database rows as the CSV's cells: the csv module writes numbers (Decimal exactly), text,
    ids and dates as they are; only timestamps (ISO, as the JSON) and enums (their value) change."""
    fix = [
        (
            i,
            (lambda v: v.isoformat()) if isinstance(f, fields.DateTime) else _enum_value,
        )
        for i, f in enumerate(fields_)
        if isinstance(f, (fields.Enum, fields.DateTime))
    ]
    if not fix:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for i, convert in fix:
            if row[i] is not None:
                row[i] = convert(row[i])
        yield row


def _enum_value(value):
    return value.value if isinstance(value, enum.Enum) else value


def _xlsx_cells(rows, fields_: list) -> Iterator:
    enums = [i for i, f in enumerate(fields_) if isinstance(f, fields.Enum)]
    if not enums:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for i in enums:
            row[i] = _enum_value(row[i])
        yield row


def _header(key: str) -> str:
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in key).strip()
    words = words.replace(" kg", " (kg)").replace(" id", " id")
    return words[:1].upper() + words[1:]


_KINDS = {"Decimal": "number", "Integer": "int", "Date": "date", "DateTime": "datetime"}


def schema_columns(schema) -> list[Column]:
    """Columns of a list from its response schema: every field, in the schema's order."""
    columns = []
    for name, field in schema.dump_fields.items():
        kind = next((k for cls, k in _KINDS.items() if cls in {c.__name__ for c in type(field).__mro__}), "text")
        if kind == "number":
            kind = "money" if getattr(field, "places", 3) == 2 else "kg"
        columns.append(Column(field.data_key or name, _header(field.data_key or name), kind))
    return columns


def export_list(fmt: str, name: str, stmt, schema) -> Response:
    """Every row of a list's select (no page), as CSV or XLSX, each the JSON's row cell for cell.

    When every field of the schema is a plain column of the selected entity, only those columns are
    selected and streamed as plain tuples through a server-side cursor (`yield_per`), each value
    formatted by a converter chosen once per column: no ORM object and no schema dump per row (they
    cost ~2 ms a row; issue 12's 100,000-row export took minutes). Otherwise each row is dumped by
    the schema."""
    columns = schema_columns(schema)
    table_columns = _plain_columns(stmt, schema)
    if table_columns is None:
        return export(fmt, name, columns, stream_models(stmt, schema.dump, BATCH_ROWS))
    rows = _stream_rows(stmt.with_only_columns(*table_columns, maintain_column_froms=False), BATCH_ROWS)
    fields_ = list(schema.dump_fields.values())
    if fmt == "csv":
        return csv_response(name, columns, (), cells=_csv_cells(rows, fields_))
    return xlsx_response(name, columns, (), cells=_xlsx_cells(rows, fields_))


def format_field():
    """The `format` query argument of an exportable list."""
    return Str(load_default="json", validate=validate.OneOf(FORMATS))
