from ..common.enums import StrEnum
from ..common.words import register_labels


class StockType(StrEnum):
    PADDY = "PADDY"
    RICE = "RICE"
    BROKEN_RICE = "BROKEN_RICE"
    BRAN = "BRAN"
    HUSK = "HUSK"


# What milling produces, in the order the trade lists them.
MILLING_OUTPUTS = (StockType.RICE, StockType.BROKEN_RICE, StockType.BRAN, StockType.HUSK)


class Direction(StrEnum):
    IN = "IN"
    OUT = "OUT"


# How a person says each stock type (select options, tables, the meta served to the pages).
STOCK_TYPE_LABELS = {
    StockType.PADDY: "Paddy",
    StockType.RICE: "Rice",
    StockType.BROKEN_RICE: "Broken rice",
    StockType.BRAN: "Bran",
    StockType.HUSK: "Husk",
}
register_labels(STOCK_TYPE_LABELS)  # every message says "Rice", never RICE (common/words.py)
