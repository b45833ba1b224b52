"""Built-in accounts: for an NGO with no identity provider (docs/deployment.md, "Accounts").

Pure (no Streamlit): the store, password hashing, and the three signed tokens.

- **Store**: `<data dir>/accounts.json` (or $IMPACT_ACCOUNTS_FILE), one JSON object, rewritten
  whole (temporary file, fsync, rename) while holding the data directory's write lock (the
  same exclusive flock on the directory that imports take, impact.storage.store), so every
  server process and the CLI see one consistent set of accounts. Mode 0600: it holds hashes.
- **Passwords**: argon2id through argon2-cffi (memory-hard; its defaults are RFC 9106's
  low-memory profile). Never stored or logged in clear.
- **Tokens** (itsdangerous, HMAC-SHA256 with the deployment's `cookie_secret`, each purpose
  its own salt so one can never be replayed as another):
  - session cookie `{"e": email, "g": generation}`, expiring after SESSION_S; it is valid
    only while the account is active and its generation unchanged, so signing out (which
    bumps the generation), a disable or a reset ends it on the next run;
  - invitation `{"e": email, "n": nonce}`, expiring after INVITE_S; the nonce must be the
    account's current one, and setting the password clears it: single use, and a reset's
    new link makes the old one useless;
  - form token: a random value signed, matched against the same value in a cookie
    (double submit), so another site cannot post our forms.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from impact.access import audit
from impact.access.policy import PLACEHOLDER, AccessError, parse_role
from impact.errors import UsageError

FILE_NAME = "accounts.json"
FILE_ENV = "IMPACT_ACCOUNTS_FILE"
SECRET_ENV = "IMPACT_ACCOUNTS_SECRET"  # the cookie secret, when not in secrets.toml
MIN_SECRET = 32
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 hashes any length; a megabyte "password" is an attack
MAX_EMAIL = 254
SESSION_S = 12 * 3600
INVITE_S = 7 * 86400
FORM_S = 2 * 3600
INVITED, ACTIVE, DISABLED = "invited", "active", "disabled"
COOKIE = "impact_session"
FORM_COOKIE = "impact_form"

HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, t=3, p=4)


class AccountError(UsageError):
    """Bad input or a state that refuses the action, in one line."""


def check_secret(secret: str | None) -> str:
    if not secret or len(secret) < MIN_SECRET or PLACEHOLDER in secret:
        raise AccessError(f"[accounts] cookie_secret must be at least {MIN_SECRET} characters "
                          "and not the template's placeholder; make one with: python -c "
                          "'import secrets; print(secrets.token_urlsafe(48))'")
    return secret


def normal_email(text: str) -> str:
    email = str(text or "").strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or len(email) > MAX_EMAIL \
            or any(c.isspace() or c in "<>\"'\\" or ord(c) < 32 for c in email):
        raise AccountError(f"{str(text)[:100]!r}: not an e-mail address")
    return email


def check_password(password: str, confirm: str | None = None) -> None:
    """The rules a new password meets; the reason as a locale key (AccountError.key)."""
    if len(password) < MIN_PASSWORD:
        raise _keyed("account.password.short", f"at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise _keyed("account.password.long", f"at most {MAX_PASSWORD} characters")
    if confirm is not None and confirm != password:
        raise _keyed("account.password.mismatch", "the two passwords differ")


def _keyed(key: str, message: str) -> AccountError:
    exc = AccountError(message)
    exc.key = key
    return exc


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        # Same work as a real check, so a missing account cannot be told apart by timing.
        with contextlib.suppress(VerificationError, InvalidHashError):
            HASHER.verify(_DUMMY, password)
        return False
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY = HASHER.hash("not a password of anyone")


# ------------------------------------------------------------------------------- the store

@dataclass(frozen=True)
class Account:
    email: str
    role: str
    status: str
    generation: int = 0
    password_hash: str | None = None
    invite: str | None = None  # the nonce of the one open invitation, if any
    created: int = 0
    updated: int = 0

    @property
    def active(self) -> bool:
        return self.status == ACTIVE and bool(self.password_hash)

    def public(self) -> dict:
        """What a list shows (never the hash or the nonce)."""
        return {"email": self.email, "role": self.role, "status": self.status,
                "created": self.created, "updated": self.updated}


def location(data_dir: str | None) -> Path | None:
    """$IMPACT_ACCOUNTS_FILE, else accounts.json in a local data directory; never in the
    bundled demo data (committed code) nor in an object store (it cannot be locked)."""
    explicit = os.environ.get(FILE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    if not data_dir or "://" in str(data_dir):
        return None
    from impact.datadir import is_bundled_demo

    if is_bundled_demo(data_dir):
        return None
    return Path(data_dir) / FILE_NAME


class Store:
    """The accounts of one deployment; every change read-modify-written under the lock."""

    def __init__(self, data_dir: str | None, clock=time.time):
        path = location(data_dir)
        if path is None:
            raise AccountError(
                f"no place for accounts beside the data directory {data_dir!r} (the bundled "
                f"demo data or an object store): use a local data directory or set ${FILE_ENV}")
        self.path, self.clock = path, clock

    @contextlib.contextmanager
    def _locked(self):
        # The data directory's write lock (impact.storage.store.DataStore.lock): an exclusive
        # flock on the directory itself, so imports, the CLI and every server process queue.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _read(self) -> dict:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"accounts": {}}
        try:
            data = json.loads(text)
            if not isinstance(data.get("accounts"), dict):
                raise ValueError("no accounts object")
        except (ValueError, AttributeError) as exc:
            raise AccountError(f"{self.path}: damaged ({exc}); restore it from a backup") \
                from None
        return data

    def _write(self, data: dict) -> None:
        payload = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode()
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.",
                                   suffix=".tmp")  # 0600: the file holds password hashes
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def _account(email: str, raw: dict) -> Account:
        return Account(email=email, role=raw["role"], status=raw["status"],
                       generation=int(raw.get("generation", 0)),
                       password_hash=raw.get("hash"), invite=raw.get("invite"),
                       created=int(raw.get("created", 0)), updated=int(raw.get("updated", 0)))

    def get(self, email: str) -> Account | None:
        raw = self._read()["accounts"].get(str(email).strip().lower())
        return self._account(str(email).strip().lower(), raw) if raw else None

    def list(self) -> list[Account]:
        return [self._account(e, raw) for e, raw in sorted(self._read()["accounts"].items())]

    @contextlib.contextmanager
    def _change(self, email: str, *, create: bool = False):
        with self._locked():
            data = self._read()
            raw = data["accounts"].get(email)
            if raw is None and not create:
                raise AccountError(f"no account {email!r}")
            raw = dict(raw or {})
            yield raw
            raw["updated"] = int(self.clock())
            data["accounts"][email] = raw
            self._write(data)

    def invite(self, email: str, role: str) -> str:
        """A new account awaiting its password; returns the invitation's nonce."""
        email = normal_email(email)
        parse_role(role)
        if self.get(email) is not None:
            raise AccountError(f"{email} already has an account: use reset for a new link")
        nonce = secrets.token_urlsafe(16)
        with self._change(email, create=True) as raw:
            if raw:  # created by another process since the check above
                raise AccountError(f"{email} already has an account: use reset for a new link")
            raw.update(role=role.strip(), status=INVITED, generation=0, hash=None,
                       invite=nonce, created=int(self.clock()))
        return nonce

    def reset(self, email: str) -> str:
        """A new one-time link (the old one stops working); open sessions end."""
        email = normal_email(email)
        nonce = secrets.token_urlsafe(16)
        with self._change(email) as raw:
            if raw["status"] == DISABLED:
                raise AccountError(f"{email} is disabled: enable it before a reset")
            raw.update(invite=nonce, generation=int(raw.get("generation", 0)) + 1)
        return nonce

    def set_password(self, email: str, nonce: str, password: str,
                     confirm: str | None = None) -> Account:
        """Use an invitation: the nonce must be the open one; it is spent in the same write."""
        check_password(password, confirm)
        email = normal_email(email)
        hashed = hash_password(password)  # outside the lock: argon2 takes a moment
        with self._change(email) as raw:
            if raw["status"] == DISABLED:
                raise _keyed("account.disabled", f"{email} is disabled")
            if not raw.get("invite") or not secrets.compare_digest(raw["invite"], nonce):
                raise _keyed("account.invite.used", "this link was used or replaced")
            raw.update(hash=hashed, invite=None, status=ACTIVE,
                       generation=int(raw.get("generation", 0)) + 1)
        return self.get(email)

    def disable(self, email: str) -> None:
        with self._change(normal_email(email)) as raw:
            raw.update(status=DISABLED, invite=None,
                       generation=int(raw.get("generation", 0)) + 1)

    def enable(self, email: str) -> None:
        with self._change(normal_email(email)) as raw:
            raw.update(status=ACTIVE if raw.get("hash") else INVITED)

    def set_role(self, email: str, role: str) -> str:
        """Returns the previous role."""
        parse_role(role)
        with self._change(normal_email(email)) as raw:
            old = raw["role"]
            raw["role"] = role.strip()
        return old

    def sign_out(self, email: str, generation: int) -> None:
        """End every session of this account issued at `generation` (a no-op if already)."""
        with self._change(normal_email(email)) as raw:
            if int(raw.get("generation", 0)) == generation:
                raw["generation"] = generation + 1

    def authenticate(self, email: str, password: str) -> Account | None:
        """The active account whose password this is, else None."""
        try:
            account = self.get(normal_email(email))
        except AccountError:
            account = None
        ok = verify_password(password[:MAX_PASSWORD],
                             account.password_hash if account else None)
        return account if ok and account is not None and account.active else None


# ------------------------------------------------------------------------------- the tokens

class Tokens:
    """Signs and reads the session cookie, invitations and form tokens."""

    def __init__(self, secret: str, clock=None):
        self.secret = check_secret(secret)
        self._clock = clock

    def _serializer(self, salt: str) -> URLSafeTimedSerializer:
        serializer = URLSafeTimedSerializer(self.secret, salt=salt)
        if self._clock is not None:  # tests move time instead of sleeping
            clock = self._clock

            class _Signer(serializer.signer):
                def get_timestamp(self):
                    return int(clock())

            serializer.signer = _Signer
        return serializer

    def _load(self, salt: str, token: str, max_age: int):
        if not isinstance(token, str) or not token or len(token) > 2048:
            return None
        try:
            if self._clock is not None:
                # itsdangerous compares the age against time.time(): check it ourselves.
                value, stamp = self._serializer(salt).loads(token, return_timestamp=True)
                age = self._clock() - stamp.timestamp()
                return value if 0 <= age <= max_age else None
            return self._serializer(salt).loads(token, max_age=max_age)
        except (BadSignature, SignatureExpired):
            return None

    def session(self, account: Account) -> str:
        return self._serializer("impact.session").dumps({"e": account.email,
                                                          "g": account.generation})

    def read_session(self, token: str) -> tuple[str, int] | None:
        value = self._load("impact.session", token, SESSION_S)
        if not isinstance(value, dict) or not isinstance(value.get("g"), int):
            return None
        return str(value.get("e")), value["g"]

    def invitation(self, email: str, nonce: str) -> str:
        return self._serializer("impact.invite").dumps({"e": email, "n": nonce})

    def read_invitation(self, token: str) -> tuple[str, str] | None:
        value = self._load("impact.invite", token, INVITE_S)
        if not isinstance(value, dict):
            return None
        return str(value.get("e")), str(value.get("n"))

    def form(self, value: str) -> str:
        return self._serializer("impact.form").dumps(value)

    def form_ok(self, token: str, cookie_value: str | None) -> bool:
        value = self._load("impact.form", token, FORM_S)
        return bool(cookie_value) and isinstance(value, str) \
            and secrets.compare_digest(value, cookie_value)


def signed_in(store: Store, tokens: Tokens, cookie: str | None) -> Account | None:
    """The account a session cookie stands for, checked now: signature, age, the account
    still active, and its generation unchanged (sign-out, disable and reset end it)."""
    session = tokens.read_session(cookie) if cookie else None
    if session is None:
        return None
    email, generation = session
    try:
        account = store.get(email)
    except AccountError:
        return None
    if account is None or not account.active or account.generation != generation:
        return None
    return account


def invitation_url(base: str, token: str, lang: str = "zh") -> str:
    from urllib.parse import quote, urlencode

    return f"{base.rstrip('/')}/auth/invite/{quote(token, safe='')}?{urlencode({'lang': lang})}"


# --------------------------------------------------------- what a director (or the CLI) does
# Each action changes the store and writes the audit entry; the page and `impact user` both
# call these, so the two can never differ in what they record.

def admin_invite(store: Store, tokens: Tokens, email: str, role: str, by: str,
                 data_dir: str | None, base: str, lang: str = "zh") -> str:
    """A new account; returns its one-time link."""
    email = normal_email(email)
    nonce = store.invite(email, role)
    audit.record("account_invited", by, data_dir, account=email, role=role.strip())
    return invitation_url(base, tokens.invitation(email, nonce), lang)


def admin_reset(store: Store, tokens: Tokens, email: str, by: str, data_dir: str | None,
                base: str, lang: str = "zh") -> str:
    """A new one-time link for an account (its sessions end, the old link stops working)."""
    email = normal_email(email)
    nonce = store.reset(email)
    audit.record("password_reset", by, data_dir, account=email)
    return invitation_url(base, tokens.invitation(email, nonce), lang)


def admin_disable(store: Store, email: str, by: str, data_dir: str | None) -> None:
    email = normal_email(email)
    store.disable(email)
    audit.record("account_disabled", by, data_dir, account=email)


def admin_enable(store: Store, email: str, by: str, data_dir: str | None) -> None:
    email = normal_email(email)
    store.enable(email)
    audit.record("account_enabled", by, data_dir, account=email)


def admin_role(store: Store, email: str, role: str, by: str, data_dir: str | None) -> None:
    email = normal_email(email)
    old = store.set_role(email, role)
    audit.record("role_changed", by, data_dir, account=email, role=role.strip(), before=old)
