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
_by_user: dict[str, dict[tuple[str, str], SocketSession]] = {}  # user_id -> that user's sockets here
_lock = threading.Lock()


def add(session: SocketSession) -> None:
    key = (session.namespace, session.sid)
    with _lock:
        old = _sockets.pop(key, None)
        if old is not None:
            _forget_user(key, old)
        _sockets[key] = session
        _by_user.setdefault(session.user_id, {})[key] = session


def get(namespace: str, sid: str) -> SocketSession | None:
    return _sockets.get((namespace, sid))


def remove(namespace: str, sid: str) -> SocketSession | None:
    key = (namespace, sid)
    with _lock:
        session = _sockets.pop(key, None)
        if session is not None:
            _forget_user(key, session)
        return session


def _forget_user(key: tuple[str, str], session: SocketSession) -> None:
    mine = _by_user.get(session.user_id)
    if mine is not None:
        mine.pop(key, None)
        if not mine:
            del _by_user[session.user_id]


def all_sessions() -> list[SocketSession]:
    with _lock:
        return list(_sockets.values())


def for_user(user_id: str) -> list[SocketSession]:
    """The user's sockets in this process (without looking at anyone else's)."""
    with _lock:
        return list(_by_user.get(user_id, {}).values())


def count_for_user(user_id: str) -> int:
    """How many sockets the user has open here: a lookup, not a scan (it runs on every connect)."""
    return len(_by_user.get(user_id, ()))


def count() -> int:
    return len(_sockets)
