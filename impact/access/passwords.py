"""The staff password fallback (installs without sign-in): a salted hash and a rate limit.

The password is stored only as `pbkdf2_sha256$<iterations>$<salt>$<hash>` (make one with
`python -m impact hash-password`), never in plain text. Wrong attempts are limited per
session and per address: after MAX_FAILURES within WINDOW_S seconds, that key waits
LOCKOUT_S seconds, doubling with every further failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000  # OWASP 2023 guidance for PBKDF2-HMAC-SHA256
MAX_FAILURES = 5
WINDOW_S = 15 * 60
LOCKOUT_S = 30
MAX_LOCKOUT_S = 60 * 60


class PasswordFormatError(ValueError):
    """A stored hash that is not in the pbkdf2_sha256$… format (e.g. a plain password)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, iterations: int = ITERATIONS,
                  salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{ALGORITHM}${iterations}${_b64(salt)}${_b64(digest)}"


def check_format(stored: str) -> tuple[int, bytes, bytes]:
    parts = str(stored).split("$")
    if len(parts) != 4 or parts[0] != ALGORITHM:
        raise PasswordFormatError(
            "staff_password_hash must look like pbkdf2_sha256$600000$<salt>$<hash>; "
            "make one with `python -m impact hash-password` (a plain password is refused)")
    try:
        return int(parts[1]), base64.b64decode(parts[2]), base64.b64decode(parts[3])
    except ValueError as exc:
        raise PasswordFormatError(f"staff_password_hash is damaged: {exc}") from None


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored` (compared in constant time)."""
    iterations, salt, expected = check_format(stored)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(digest, expected)


class RateLimiter:
    """Failed attempts per key (a session id, an address), with a growing lockout.

    `clock` is injectable so tests move time instead of sleeping.
    """

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S,
                 lockout_s: float = LOCKOUT_S, clock=time.monotonic):
        self.max_failures, self.window_s, self.lockout_s = max_failures, window_s, lockout_s
        self.clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, *keys: str) -> int:
        """Seconds until any of `keys` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            return max((self._wait(key, now) for key in keys), default=0)

    def _wait(self, key: str, now: float) -> int:
        recent = [t for t in self._failures.get(key, []) if now - t < self.window_s]
        self._failures[key] = recent
        over = len(recent) - self.max_failures + 1
        if over <= 0:
            return 0
        lockout = min(self.lockout_s * 2 ** (over - 1), MAX_LOCKOUT_S)
        return max(0, int(recent[-1] + lockout - now + 0.999))

    def failure(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, []).append(now)

    def success(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


# One limiter for the server process: the per-address count must span every session.
LIMITER = RateLimiter()
