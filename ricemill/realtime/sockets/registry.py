"""What this process knows about each of its sockets: who, with which token, and its rate bucket.

Keyed by (namespace, sid). Only local sockets are here; other server processes keep their own, and
live authorisation reaches them through the message queue (see live_auth.py).
"""

import threading
import time
from dataclasses import dataclass, field


@dataclass(slots=True)
class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up."""

    rate: float
    burst: float
    tokens: float = -1.0
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self):
        if self.tokens < 0:
            self.tokens = self.burst

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass(slots=True)
class SocketSession:
    sid: str
    namespace: str
    user_id: str
    name: str
    role: str
    mill_id: str | None  # the user's own mill (None for SUPER_ADMIN)
    jti: str
    exp: float  # token expiry, epoch seconds
    bucket: TokenBucket
    refused: int = 0  # events refused by the rate limit in the current abuse window
    refused_since: float = 0.0
    family: str | None = None  # the token's refresh family: revoking it disconnects the socket
    rooms: tuple[str, ...] = ()  # entered once the CONNECT packet is out (connection.py)
    welcomed: bool = False  # rooms entered, `connected` and the mill positions sent

    @property
    def user(self) -> dict:
        return {"id": self.user_id, "name": self.name}


_sockets: dict[tuple[str, str], SocketSession] = {}
_lock = threading.Lock()


def add(session: SocketSession) -> None:
    with _lock:
        _sockets[(session.namespace, session.sid)] = session


def get(namespace: str, sid: str) -> SocketSession | None:
    return _sockets.get((namespace, sid))


def remove(namespace: str, sid: str) -> SocketSession | None:
    with _lock:
        return _sockets.pop((namespace, sid), None)


def all_sessions() -> list[SocketSession]:
    with _lock:
        return list(_sockets.values())


def count_for_user(user_id: str) -> int:
    with _lock:
        return sum(1 for session in _sockets.values() if session.user_id == user_id)


def count() -> int:
    return len(_sockets)
