"""docs/realtime.md stays true to the schemas: every server event has a row naming its required fields."""

from pathlib import Path

from ricemill.realtime.events import SERVER_EVENTS, SERVER_SCHEMAS, _instance

DOC = Path(__file__).resolve().parents[2] / "docs" / "realtime.md"


def test_the_payload_table_lists_every_event_and_its_fields(app):
    rows = {line.split("|")[1].strip().strip("`"): line for line in DOC.read_text().splitlines()
            if line.startswith("| `")}  # fmt: skip
    for name in SERVER_EVENTS.values():
        assert name in rows, f"{name} has no row in docs/realtime.md"
        if name == "dashboard:stats":
            continue  # described as the dashboard object
        for field_name, field in _instance(SERVER_SCHEMAS[name]).fields.items():
            assert f"`{field.data_key or field_name}`" in rows[name], f"{name}.{field_name} not in docs/realtime.md"
