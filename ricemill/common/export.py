"""Lists and reports as CSV or XLSX: one table definition, the same rows as the JSON.

- CSV (`?format=csv`): UTF-8 with a byte-order mark so Excel opens it as UTF-8 (₹, names in
  Indian scripts), a header row of readable column names, then every row that matches the filters
  (not one page), streamed as it is read from a server-side cursor: memory stays flat however many
  rows there are.
- XLSX (`?format=xlsx`): XlsxWriter in `constant_memory` mode, which writes each row to a temporary
  file as it comes and keeps only one row in memory, so 100,000 rows cost what 100 do; the finished
  workbook is then sent from that file in chunks. Numbers are numbers and dates are dates in Excel.
"""

import csv
import io
import json
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from flask import Response, stream_with_context
from marshmallow import validate

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


def csv_response(name: str, columns: list[Column], rows: Iterable[dict]) -> Response:
    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write(BOM)
        writer.writerow([c.header for c in columns])
        for index, row in enumerate(rows, 1):
            writer.writerow([csv_value(row.get(c.key)) for c in columns])
            if index % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": _filename(name, "csv")},
    )


def xlsx_response(name: str, columns: list[Column], rows: Iterable[dict], title: str | None = None) -> Response:
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
    for r, row in enumerate(rows, 1):
        for col, column in enumerate(columns):
            value = row.get(column.key)
            if value is None:
                continue
            if column.kind in ("money", "kg", "number", "int"):
                sheet.write_number(r, col, float(value), formats.get(column.kind))
            elif column.kind == "date" and isinstance(value, date):
                sheet.write_datetime(r, col, datetime(value.year, value.month, value.day), formats["date"])
            elif column.kind == "datetime" and isinstance(value, datetime):
                sheet.write_datetime(r, col, value.replace(tzinfo=None), formats["datetime"])
            else:
                sheet.write_string(r, col, csv_value(value))
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


def _header(key: str) -> str:
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in key).strip()
    words = words.replace(" kg", " (kg)").replace(" id", " id")
    return words[:1].upper() + words[1:]


_KINDS = {"Decimal": "number", "Integer": "int", "Date": "date", "DateTime": "datetime"}


def schema_columns(schema) -> list[Column]:
    """Columns of a list from its response schema: every field, in the schema's order."""
    columns = []
    for name, field in schema.fields.items():
        kind = next((k for cls, k in _KINDS.items() if cls in {c.__name__ for c in type(field).__mro__}), "text")
        if kind == "number":
            kind = "money" if getattr(field, "places", 3) == 2 else "kg"
        columns.append(Column(field.data_key or name, _header(field.data_key or name), kind))
    return columns


def export_list(fmt: str, name: str, stmt, schema) -> Response:
    """Every row of a list's select (no page), dumped by its response schema, as CSV or XLSX:
    each row is the JSON's row, cell for cell (dates as ISO text)."""
    return export(fmt, name, schema_columns(schema), stream_models(stmt, schema.dump))


def format_field():
    """The `format` query argument of an exportable list."""
    return Str(load_default="json", validate=validate.OneOf(FORMATS))
