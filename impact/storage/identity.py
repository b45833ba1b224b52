"""Who is making a change, for the version history: the signed-in user when there is one,
else the operating-system user. The web layer sets the signed-in user with `acting_as`
around a commit; everything else (CLI, tests) gets the OS user."""

from __future__ import annotations

import contextlib
import contextvars
import getpass
import os

_signed_in: contextvars.ContextVar[str | None] = contextvars.ContextVar("impact_user", default=None)


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid{os.getuid()}"


def who() -> str:
    """The person a version is recorded under."""
    return _signed_in.get() or os_user()


@contextlib.contextmanager
def acting_as(user: str | None):
    """Record commits made inside this block under `user` (None: the OS user)."""
    token = _signed_in.set(user or None)
    try:
        yield
    finally:
        _signed_in.reset(token)
