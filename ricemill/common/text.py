"""The one text rule: what a text field or a text filter may hold (docs/domain.md, "Field rules").

Refused anywhere: NUL and the other C0/C1 control characters, lone surrogates, the Unicode line and
paragraph separators, the byte-order mark and the bidirectional embedding/override controls. A tab
is allowed everywhere; a newline (and the carriage return of a CRLF) only in multi-line fields
(notes, address, a notification's message). PostgreSQL refuses NUL outright (a 500 before this
rule) and the rest would be stored verbatim and break documents, logs and CSV exports.

`Str` is the base string field of every camelCase schema: `CamelSchema` refuses a plain
`fields.String` that loads input, so no field can forget the rule.
"""

import re

from marshmallow import ValidationError, fields

_ALWAYS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\ufeff"
_SINGLE_LINE = re.compile(f"[{_ALWAYS}\n\r]")
_MULTI_LINE = re.compile(f"[{_ALWAYS}]")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """A readable reason `value` breaks the text rule, or None."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(value)
    if found is None:
        return None
    char = found.group()
    if char in "\n\r":
        return "Must be a single line."
    if "\ud800" <= char <= "\udfff":
        return "Must not contain an unpaired surrogate (invalid Unicode)."
    return f"Must not contain control characters (found U+{ord(char):04X})."


def check_text(value: str, *, multiline: bool = False) -> str:
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise ValidationError(problem)
    return value


class Str(fields.String):
    """A string that obeys the text rule; `multiline=True` also allows newlines."""

    def __init__(self, *args, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return check_text(super()._deserialize(value, attr, data, **kwargs), multiline=self.multiline)


class Email(Str, fields.Email):
    """An e-mail address under the text rule (single line)."""


def follows_text_rule(field: fields.Field) -> bool:
    """False for a field that loads text without the rule (a plain `fields.String` or `fields.Email`)."""
    if field.dump_only or not isinstance(field, fields.String):
        return True
    return isinstance(field, (Str, fields.UUID))
