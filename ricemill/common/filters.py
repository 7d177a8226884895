"""The LIKE filter shared by the list routes (common.listing builds the others)."""


def contains(column, text: str):
    """Case-insensitive substring match with the LIKE wildcards in `text` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")
