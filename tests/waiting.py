"""Waiting without sleeping blind: poll a condition until it holds, or fail with a message.

Tests wait for a positive sign (an event arrived, a row was written, a worker finished) instead of
sleeping for a guessed time; a "nothing else arrived" check comes after such a barrier.
"""

import time


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.02, message: str = "condition"):
    """Poll `predicate()` until it returns something truthy, and return that; AssertionError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)
