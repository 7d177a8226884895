from ..common.enums import StrEnum


class PartyKind(StrEnum):
    FARMER = "FARMER"  # sells paddy to the mill
    BUYER = "BUYER"  # buys rice and by-products
    SUPPLIER = "SUPPLIER"  # sells anything else (bags, fuel, parts)
    AGENT = "AGENT"  # broker or commission agent
