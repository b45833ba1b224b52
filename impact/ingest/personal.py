"""Personal data never enters the data directory (个人信息保护法: collect the minimum, and
de-identify).

A column that looks like a name, ID-card number or phone number is refused with a clear
message. With `hash_personal` (`impact import --hash-personal`) such columns of a
`participants` sheet are accepted only as the source of the pseudonymous person key and are
then dropped; nothing of them but the key is stored.

The key is HMAC-SHA256(secret, org + person id). The secret is the installation's: the
environment variable IMPACT_PERSON_KEY_SECRET, else `person_key.secret` in the data directory
(made on first use, or by `impact init`). Without the secret a key cannot be linked back to
an id, even by someone holding the id list; keep it out of shared copies of the data.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

# Telling a personal column by its header is header work (impact.ingest.headers)
from impact.ingest.headers import PERSON_ID, PERSONAL_PREFIX, is_personal, normalise  # noqa: F401

SECRET_ENV = "IMPACT_PERSON_KEY_SECRET"
SECRET_FILE = "person_key.secret"




def stored_secret(store) -> bytes | None:
    """The secret the person keys are made with: $IMPACT_PERSON_KEY_SECRET, else the data
    directory's secret file; None when neither exists yet."""
    env = os.environ.get(SECRET_ENV, "")
    if env:
        return env.encode("utf-8")
    try:
        return store._read_bytes(SECRET_FILE).strip()
    except FileNotFoundError:
        return None


def make_secret() -> bytes:
    return secrets.token_hex(32).encode()


def write_secret(store, secret: bytes | None = None) -> bytes:
    """Store the installation secret in the data directory (atomic; `impact init` and the
    first participants import call this). Returns the secret in force."""
    existing = stored_secret(store)
    if existing is not None:
        return existing
    secret = secret or make_secret()
    store._write_atomic(SECRET_FILE, secret + b"\n")
    return secret


def person_key(secret: bytes, org: str, person_id: str) -> str:
    """The pseudonymous key of one person of one organisation (hex, 32 characters)."""
    message = f"{org}\x1f{person_id.strip()}".encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]
