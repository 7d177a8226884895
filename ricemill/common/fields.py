"""Field types shared by the domains' schemas: names, phones, rates, bags, GSTIN and state (docs/domain.md)."""

from marshmallow import ValidationError, fields, validate

from .constants import MAX_BAGS, MAX_RATE_PER_QUINTAL
from .gstin import STATE_CODES, gstin_error, state_code
from .schemas import Bounds, Money, Quantity
from .text import Str


def Name(max_length: int = 120, **kwargs) -> Str:  # noqa: N802 - reads as a field type
    """A person's or firm's name: one line, length-limited and not just spaces."""
    validators = [validate.Length(min=1, max=max_length), validate.Regexp(r"\s*\S", error="Must not be blank.")]
    return Str(validate=validators, **kwargs)


def Phone(**kwargs) -> Str:  # noqa: N802
    """An Indian or international phone number: digits, spaces and dashes, optional leading +."""
    kwargs.setdefault("allow_none", True)
    return Str(validate=validate.Regexp(r"^\+?[0-9][0-9 -]{5,18}$", error="Not a valid phone number."), **kwargs)


def Rate(**kwargs) -> Quantity:  # noqa: N802
    """Rupees per quintal: more than 0, at most MAX_RATE_PER_QUINTAL."""
    return Money(validate=[validate.Range(min=0, min_inclusive=False)], maximum=MAX_RATE_PER_QUINTAL, **kwargs)


def Bags(**kwargs) -> fields.Integer:  # noqa: N802
    """A count of bags, 0 .. MAX_BAGS, or null."""
    return fields.Integer(strict=True, allow_none=True, validate=Bounds(0, MAX_BAGS, unit="bags"), **kwargs)


class Gstin(Str):
    """A GSTIN, any case and surrounding spaces; stored upper case; format and check character checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if not text:
            return None
        error = gstin_error(text)
        if error:
            raise ValidationError(error)
        return text


class State(Str):
    """An Indian state or union territory by name (any case), stored as the GST list spells it."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        code = state_code(text)
        if code is None:
            raise ValidationError("Not an Indian state or union territory.")
        return STATE_CODES[code]


def check_state_matches_gstin(data: dict) -> None:
    """A GSTIN names its state in its first two digits: a different `state` beside it is refused."""
    gstin, state = data.get("gstin"), data.get("state")
    if gstin and state and STATE_CODES[gstin[:2]] != state:
        raise ValidationError(f"The GSTIN is registered in {STATE_CODES[gstin[:2]]}.", field_name="state")
