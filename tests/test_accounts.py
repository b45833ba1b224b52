"""Built-in accounts (impact.access.accounts): the store, hashing, tokens, the lock."""

from __future__ import annotations

import fcntl
import json
import os
import stat
import threading

import pytest

from impact.access import accounts
from impact.access.accounts import AccountError, Store, Tokens
from impact.access.policy import AccessError

SECRET = "s" * 40


class Clock:
    def __init__(self, now=1_700_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.delenv(accounts.FILE_ENV, raising=False)
    return Store(str(tmp_path))


def test_hash_is_argon2id_and_verifies():
    stored = accounts.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert accounts.verify_password("correct horse battery", stored)
    assert not accounts.verify_password("wrong horse battery", stored)
    assert not accounts.verify_password("anything", None)
    assert not accounts.verify_password("anything", "pbkdf2_sha256$1$x$y")


def test_invite_then_set_password_signs_in(store, tmp_path):
    nonce = store.invite("Lin.Wei@NGO.example.org", "staff")
    assert store.get("lin.wei@ngo.example.org").status == accounts.INVITED
    assert store.authenticate("lin.wei@ngo.example.org", "whatever") is None
    account = store.set_password("lin.wei@ngo.example.org", nonce, "a long password",
                                 "a long password")
    assert account.active and account.role == "staff"
    assert store.authenticate("LIN.WEI@ngo.example.org", "a long password").email == \
        "lin.wei@ngo.example.org"
    assert store.authenticate("lin.wei@ngo.example.org", "a wrong password") is None
    text = (tmp_path / "accounts.json").read_text()
    assert "a long password" not in text and "$argon2id$" in text
    assert stat.S_IMODE(os.stat(tmp_path / "accounts.json").st_mode) == 0o600


def test_invitation_is_single_use(store):
    nonce = store.invite("a@ngo.example.org", "viewer")
    store.set_password("a@ngo.example.org", nonce, "first password!", None)
    with pytest.raises(AccountError) as caught:
        store.set_password("a@ngo.example.org", nonce, "second password!", None)
    assert caught.value.key == "account.invite.used"
    assert store.authenticate("a@ngo.example.org", "first password!") is not None


def test_reset_replaces_the_link_and_ends_sessions(store):
    first = store.invite("a@ngo.example.org", "viewer")
    store.set_password("a@ngo.example.org", first, "first password!", None)
    generation = store.get("a@ngo.example.org").generation
    second = store.reset("a@ngo.example.org")
    assert store.get("a@ngo.example.org").generation == generation + 1
    with pytest.raises(AccountError):
        store.set_password("a@ngo.example.org", first, "other password!", None)
    store.set_password("a@ngo.example.org", second, "new password!!", None)
    assert store.authenticate("a@ngo.example.org", "new password!!") is not None


def test_password_rules(store):
    nonce = store.invite("a@ngo.example.org", "viewer")
    for password, confirm, key in (("short", "short", "account.password.short"),
                                   ("long enough pw", "other thing", "account.password.mismatch"),
                                   ("x" * 2000, None, "account.password.long")):
        with pytest.raises(AccountError) as caught:
            store.set_password("a@ngo.example.org", nonce, password, confirm)
        assert caught.value.key == key
    assert store.get("a@ngo.example.org").invite == nonce  # nothing half-written


def test_bad_input_is_refused_in_one_line(store):
    for email in ("not-an-email", "a@b", "a b@ngo.org", "<x>@ngo.org", ""):
        with pytest.raises(AccountError):
            store.invite(email, "staff")
    with pytest.raises(AccessError):
        store.invite("a@ngo.example.org", "admin")
    with pytest.raises(AccessError):
        store.invite("a@ngo.example.org", "funder:")
    store.invite("a@ngo.example.org", "funder:乐购")
    with pytest.raises(AccountError, match="already has an account"):
        store.invite("A@ngo.example.org", "staff")
    with pytest.raises(AccountError, match="no account"):
        store.disable("nobody@ngo.example.org")
    assert [a.email for a in store.list()] == ["a@ngo.example.org"]


def test_disabled_account_cannot_sign_in_or_use_a_link(store):
    nonce = store.invite("a@ngo.example.org", "staff")
    store.set_password("a@ngo.example.org", nonce, "a long password", None)
    store.disable("a@ngo.example.org")
    assert store.authenticate("a@ngo.example.org", "a long password") is None
    with pytest.raises(AccountError, match="disabled"):
        store.reset("a@ngo.example.org")
    store.enable("a@ngo.example.org")
    assert store.authenticate("a@ngo.example.org", "a long password") is not None


def test_damaged_file_is_named(store, tmp_path):
    (tmp_path / "accounts.json").write_text("{not json")
    with pytest.raises(AccountError, match="accounts.json: damaged"):
        store.list()


def test_no_store_in_the_bundled_demo(monkeypatch):
    from impact.config import DEFAULT_DATA_DIR

    monkeypatch.delenv(accounts.FILE_ENV, raising=False)
    with pytest.raises(AccountError, match="bundled demo"):
        Store(str(DEFAULT_DATA_DIR))


def test_writes_wait_for_the_data_directory_lock(store, tmp_path):
    """An import holding the directory's flock makes an account change wait, not interleave."""
    fd = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (store.invite("a@ngo.example.org", "staff"),
                                              done.set()))
    worker.start()
    try:
        assert not done.wait(0.5)  # still blocked on the lock: a bounded check, not a sleep
        assert not (tmp_path / "accounts.json").exists()
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    worker.join(30)
    assert done.is_set() and store.get("a@ngo.example.org") is not None


def test_concurrent_invites_keep_every_account(store):
    threads = [threading.Thread(target=store.invite, args=(f"u{i}@ngo.example.org", "viewer"))
               for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(store.list()) == 8
    json.loads(store.path.read_text())


def test_session_token_expires_and_follows_the_generation(store):
    clock = Clock()
    tokens = Tokens(SECRET, clock=clock)
    nonce = store.invite("a@ngo.example.org", "director")
    account = store.set_password("a@ngo.example.org", nonce, "a long password", None)
    cookie = tokens.session(account)
    assert accounts.signed_in(store, tokens, cookie).email == "a@ngo.example.org"
    clock.now += accounts.SESSION_S + 1
    assert accounts.signed_in(store, tokens, cookie) is None
    clock.now -= accounts.SESSION_S + 1
    store.sign_out("a@ngo.example.org", account.generation)
    assert accounts.signed_in(store, tokens, cookie) is None
    fresh = tokens.session(store.get("a@ngo.example.org"))
    assert accounts.signed_in(store, tokens, fresh) is not None
    store.disable("a@ngo.example.org")
    assert accounts.signed_in(store, tokens, fresh) is None


def test_tokens_cannot_be_forged_or_swapped():
    tokens = Tokens(SECRET)
    other = Tokens("t" * 40)
    invite = tokens.invitation("a@ngo.example.org", "nonce")
    assert tokens.read_invitation(invite) == ("a@ngo.example.org", "nonce")
    assert other.read_invitation(invite) is None
    assert tokens.read_session(invite) is None  # an invitation is no session
    assert tokens.read_invitation(invite[:-2] + "xx") is None
    assert tokens.read_session("garbage") is None


def test_invitation_expires():
    clock = Clock()
    tokens = Tokens(SECRET, clock=clock)
    invite = tokens.invitation("a@ngo.example.org", "n")
    clock.now += accounts.INVITE_S + 1
    assert tokens.read_invitation(invite) is None


def test_form_token_needs_its_cookie():
    tokens = Tokens(SECRET)
    token = tokens.form("v" * 20)
    assert tokens.form_ok(token, "v" * 20)
    assert not tokens.form_ok(token, "w" * 20)
    assert not tokens.form_ok(token, None)
    assert not tokens.form_ok("forged", "v" * 20)


def test_secret_must_be_real():
    for bad in (None, "", "short", "REPLACE" * 10):
        with pytest.raises(AccessError, match="cookie_secret"):
            Tokens(bad)
