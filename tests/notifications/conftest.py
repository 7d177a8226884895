import pytest

from ricemill.realtime.sockets import emitter


@pytest.fixture
def emitted(monkeypatch):
    """Every emit made through the emitter, as (function, event, payload, room argument)."""
    seen = []

    def capture(name):
        def fake(event, payload, *target):
            seen.append((name, event, payload, target[0] if target else None))

        return fake

    for name in ("to_user", "to_mill", "to_admins", "broadcast"):
        monkeypatch.setattr(emitter, name, capture(name))
    return seen


def notifications(seen):
    return [item for item in seen if item[1] == "notification"]
