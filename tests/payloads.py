"""Valid payloads for tests that publish events by hand: the contracts (realtime/events.py and each
domain's events.py) refuse anything else while the app is testing."""

ACTOR = {"id": "00000000-0000-0000-0000-000000000001", "name": "Someone"}


def _defaults(name: str, actor: dict) -> dict:
    return {
        "purchase:created": {"purchase": {"id": "p-1"}, "createdBy": actor},
        "purchase:updated": {"purchase": {"id": "p-1"}, "updatedBy": actor},
        "sale:created": {"sale": {"id": "s-1"}, "createdBy": actor},
        "stock:updated": {"stockType": "PADDY", "quantity": 0.0, "minStockLevel": 0.0, "change": 1.0, "reason": "test"},
        "stock:low-alert": {"stockType": "RICE", "currentQuantity": 10.0, "minLevel": 100.0, "severity": "high"},
        "milling:completed": {"batch": {"id": "b-1"}, "completedBy": actor},
    }[name]


def payload(name: str, *, actor: dict | None = None, **fields) -> dict:
    """A payload of event `name` that keeps its contract, with `fields` replacing the defaults."""
    return {**_defaults(name, actor or ACTOR), **fields}
