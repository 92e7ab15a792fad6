"""Sign-in throttling: growing delays per account and per address after repeated wrong passwords.

The first :data:`FREE_ATTEMPTS` failures cost nothing; after that each attempt must wait 1, 2, 4, … seconds
(at most :data:`MAX_DELAY`) after the previous failure, counted separately for the account name and for the
address the attempt came from, so neither guessing one account's password nor spraying many accounts from
one address gets far. A successful sign-in clears the account's count. Counts live in the server's memory.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from bctcoder.errors import TooManyAttempts

FREE_ATTEMPTS = 5
MAX_DELAY = 15 * 60
MAX_TRACKED = 10_000   # keys kept at most; the oldest are forgotten first


class SignInThrottle:
    """Failure counts and the time of the last failure, per key (``account:NAME``, ``address:IP``)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(name: str, address: str | None) -> list[str]:
        keys = [f"account:{name.strip().lower()}"]
        if address:
            keys.append(f"address:{address}")
        return keys

    @staticmethod
    def delay(failures: int) -> float:
        """Seconds to wait after the last of ``failures`` failures."""
        if failures < FREE_ATTEMPTS:
            return 0.0
        return float(min(2 ** (failures - FREE_ATTEMPTS), MAX_DELAY))

    def check(self, name: str, address: str | None) -> None:
        """Raise :class:`TooManyAttempts` while this account or address must still wait."""
        now = self._clock()
        with self._lock:
            wait = 0.0
            for key in self._keys(name, address):
                failures, last = self._failures.get(key, (0, now))
                wait = max(wait, last + self.delay(failures) - now)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyAttempts(f"too many wrong passwords: wait {seconds} s before trying again",
                                  retry_after=seconds)

    def failed(self, name: str, address: str | None) -> None:
        now = self._clock()
        with self._lock:
            for key in self._keys(name, address):
                failures, _ = self._failures.pop(key, (0, now))
                self._failures[key] = (failures + 1, now)
            while len(self._failures) > MAX_TRACKED:
                self._failures.pop(next(iter(self._failures)))

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(self._keys(name, None)[0], None)
