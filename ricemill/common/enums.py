"""Helpers for enums stored as VARCHAR + CHECK (simpler to migrate than PostgreSQL ENUM types)."""

import enum

import sqlalchemy as sa


class StrEnum(enum.StrEnum):
    @classmethod
    def values(cls) -> list[str]:
        return [member.value for member in cls]


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=24,
        values_callable=lambda e: [m.value for m in e],
    )
