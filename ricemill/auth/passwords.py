"""Argon2id password hashing (argon2-cffi), with parameters from config."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers: dict[tuple, PasswordHasher] = {}


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    key = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST_KIB"], cfg["ARGON2_PARALLELISM"])
    if key not in _hashers:
        _hashers[key] = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=key[2])
    return _hashers[key]


def _secret(password: str) -> bytes:
    """UTF-8, as argon2-cffi encodes a str, but a lone surrogate (valid JSON, not valid UTF-8) is
    kept rather than raising: a password is never refused or crashed on for its characters."""
    return password.encode("utf-8", "surrogatepass")


def hash_password(password: str) -> str:
    return _hasher().hash(_secret(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists: an unknown user is checked against a dummy hash."""
    hasher = _hasher()
    if password_hash is None:
        password_hash = _dummy_hash()
        try:
            hasher.verify(password_hash, _secret(password + "\0never"))
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        return hasher.verify(password_hash, _secret(password))
    except (VerificationError, InvalidHashError):
        return False


_dummy: dict[tuple, str] = {}


def _dummy_hash() -> str:
    hasher = _hasher()
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _dummy:
        _dummy[key] = hasher.hash("dummy-password-for-timing")
    return _dummy[key]
