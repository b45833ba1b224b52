"""The accounts' HTTP routes (impact.web.accountroutes), the access they give, and `impact user`.

The routes are driven as an ASGI app directly (no server, no network): a request in, the
status, headers and page out, with a small cookie jar like a browser's.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
from starlette.applications import Starlette

from impact.access import accounts, audit, passwords
from impact.access.policy import ANONYMOUS, DIRECTOR, FUNDER, AccessError, Settings, resolve
from impact.web.accountroutes import AccountRoutes

SECRET = "k" * 48
ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


class Browser:
    """Just enough of a browser: cookies kept per name, forms posted with them."""

    def __init__(self, app, address="10.0.0.7", scheme="http"):
        self.app, self.address, self.scheme = app, address, scheme
        self.cookies: dict[str, str] = {}

    def request(self, method, url, form=None, headers=()):
        parts = urlsplit(url)
        body = urlencode(form or {}).encode()
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        raw = [(b"host", b"testserver"), *((k.encode(), v.encode()) for k, v in headers)]
        if cookie:
            raw.append((b"cookie", cookie.encode()))
        if form is not None:
            raw.append((b"content-type", b"application/x-www-form-urlencoded"))
        scope = {"type": "http", "method": method, "path": parts.path, "raw_path":
                 parts.path.encode(), "query_string": parts.query.encode(), "headers": raw,
                 "scheme": self.scheme, "server": ("testserver", 80),
                 "client": (self.address, 5000), "http_version": "1.1", "root_path": ""}
        out: dict = {"body": b""}
        sent = [False]

        async def receive():
            if sent[0]:
                return {"type": "http.disconnect"}
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            if message["type"] == "http.response.start":
                out["status"] = message["status"]
                out["headers"] = [(k.decode(), v.decode()) for k, v in message["headers"]]
            else:
                out["body"] += message.get("body", b"")

        asyncio.run(self.app(scope, receive, send))
        for name, value in out["headers"]:
            if name == "set-cookie":
                jar = SimpleCookie()
                jar.load(value)
                for key, morsel in jar.items():
                    if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.value
        out["text"] = out["body"].decode()
        return out

    def form_token(self, url):
        page = self.request("GET", url)
        return re.search(r'name="form" value="([^"]+)"', page["text"]).group(1)

    def submit(self, url, **fields):
        return self.request("POST", url, {"form": self.form_token(url), **fields})


def set_cookies(response) -> list[str]:
    return [v for k, v in response["headers"] if k == "set-cookie"]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv(accounts.FILE_ENV, raising=False)
    monkeypatch.delenv("IMPACT_AUDIT_LOG", raising=False)
    monkeypatch.setattr(passwords, "LIMITER", passwords.RateLimiter())
    return str(tmp_path)


@pytest.fixture
def app(data_dir):
    return Starlette(routes=AccountRoutes(lambda: SECRET, lambda: data_dir).routes())


def invite(data_dir, email, role):
    store = accounts.Store(data_dir)
    url = accounts.admin_invite(store, accounts.Tokens(SECRET), email, role,
                                "director@ngo.example.org", data_dir, "http://testserver")
    return urlsplit(url).path + "?" + urlsplit(url).query


def signed_in(data_dir, browser):
    return accounts.signed_in(accounts.Store(data_dir), accounts.Tokens(SECRET),
                              browser.cookies.get(accounts.COOKIE))


def test_invitation_sets_password_signs_in_and_is_single_use(app, data_dir):
    link = invite(data_dir, "lin@ngo.example.org", "staff")
    browser = Browser(app)
    page = browser.request("GET", link)
    assert page["status"] == 200 and "lin@ngo.example.org" in page["text"]
    short = browser.submit(link, password="short", confirm="short")
    assert short["status"] == 400 and "至少 10 个字符" in short["text"]
    differ = browser.submit(link, password="a long password", confirm="another long one")
    assert differ["status"] == 400 and "不一致" in differ["text"]
    done = browser.submit(link, password="a long password", confirm="a long password")
    assert done["status"] == 303 and ("location", "../../?lang=zh") in done["headers"]
    cookie = next(c for c in set_cookies(done) if c.startswith(accounts.COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert signed_in(data_dir, browser).email == "lin@ngo.example.org"
    again = Browser(app).request("GET", link)
    assert again["status"] == 404
    events = [e["event"] for e in audit.read(data_dir)]
    assert events == ["account_invited", "password_set", "sign_in"]


def test_sign_in_sign_out_and_wrong_password_lock(app, data_dir):
    link = invite(data_dir, "zhang@ngo.example.org", DIRECTOR)
    Browser(app).submit(link, password="director password", confirm="director password")
    browser = Browser(app)
    ok = browser.submit("/auth/sign-in?lang=en", email="Zhang@ngo.example.org",
                        password="director password", lang="en")
    assert ok["status"] == 303 and ("location", "../?lang=en") in ok["headers"]
    assert signed_in(data_dir, browser).role == DIRECTOR
    cookie = browser.cookies[accounts.COOKIE]
    out = browser.submit("/auth/sign-out")
    assert out["status"] == 303 and accounts.COOKIE not in browser.cookies
    # The old cookie is dead server-side too, even if someone kept a copy.
    assert accounts.signed_in(accounts.Store(data_dir), accounts.Tokens(SECRET), cookie) is None

    attacker = Browser(app, address="10.0.0.9")
    for _ in range(passwords.MAX_FAILURES - 1):
        wrong = attacker.submit("/auth/sign-in", email="zhang@ngo.example.org",
                                password="guess guess")
        assert wrong["status"] == 401 and "邮箱或密码错误" in wrong["text"]
    locked = attacker.submit("/auth/sign-in", email="zhang@ngo.example.org",
                             password="guess guess")
    assert locked["status"] == 429
    # Locked even with the right password, from another address: the account's key counts.
    other = Browser(app, address="10.0.0.10")
    refused = other.submit("/auth/sign-in", email="zhang@ngo.example.org",
                           password="director password")
    assert refused["status"] == 429 and accounts.COOKIE not in other.cookies
    log = audit.read(data_dir)
    assert [e["event"] for e in log].count("sign_in_failed") == passwords.MAX_FAILURES + 1
    assert any(e["event"] == "sign_in_failed" and e["reason"] == "locked" for e in log)
    assert any(e["event"] == "sign_out" for e in log)


def test_disabled_account_is_refused_and_its_session_ends(app, data_dir):
    link = invite(data_dir, "board@ngo.example.org", "viewer")
    browser = Browser(app)
    browser.submit(link, password="board password", confirm="board password")
    assert signed_in(data_dir, browser) is not None
    accounts.admin_disable(accounts.Store(data_dir), "board@ngo.example.org", "d", data_dir)
    assert signed_in(data_dir, browser) is None
    again = Browser(app).submit("/auth/sign-in", email="board@ngo.example.org",
                                password="board password")
    assert again["status"] == 401
    assert "account_disabled" in [e["event"] for e in audit.read(data_dir)]


def test_forms_need_their_token_and_cookie(app, data_dir):
    invite(data_dir, "a@ngo.example.org", "staff")
    browser = Browser(app)
    token = browser.form_token("/auth/sign-in")
    stranger = Browser(app)  # another site's page posting our form: no form cookie
    forged = stranger.request("POST", "/auth/sign-in",
                              {"form": token, "email": "a@ngo.example.org", "password": "x"})
    assert forged["status"] == 400 and not audit.read(data_dir)[1:]
    missing = browser.request("POST", "/auth/sign-in", {"email": "a", "password": "x"})
    assert missing["status"] == 400
    huge = browser.request("POST", "/auth/sign-in", {"form": token, "email": "x" * 20000})
    assert huge["status"] == 400


def test_cookie_is_secure_behind_https_proxy(data_dir):
    app = Starlette(routes=AccountRoutes(lambda: SECRET, lambda: data_dir).routes())
    link = invite(data_dir, "a@ngo.example.org", "staff")
    browser = Browser(app, address="127.0.0.1")
    token = re.search(r'name="form" value="([^"]+)"',
                      browser.request("GET", link)["text"]).group(1)
    done = browser.request("POST", link, {"form": token, "password": "a long password",
                                          "confirm": "a long password"},
                           headers=[("x-forwarded-proto", "https"),
                                    ("x-real-ip", "203.0.113.5")])
    assert any(c.startswith(accounts.COOKIE) and "Secure" in c for c in set_cookies(done))
    assert audit.read(data_dir)[-1]["address"] == "203.0.113.5"


def test_names_are_escaped_in_the_pages(app, data_dir):
    browser = Browser(app)
    page = browser.request("POST", "/auth/sign-in",
                           {"form": browser.form_token("/auth/sign-in"),
                            "email": '"><script>alert(1)</script>', "password": "x"})
    assert "<script>alert(1)" not in page["text"] and "&lt;script&gt;" in page["text"]


def test_routes_say_when_accounts_are_off(data_dir):
    app = Starlette(routes=AccountRoutes(lambda: None, lambda: data_dir).routes())
    page = Browser(app).request("GET", "/auth/sign-in?lang=en")
    assert page["status"] == 404 and "not turned on" in page["text"]


def test_policy_gives_the_accounts_role_and_nothing_without_one():
    cfg = Settings(accounts_secret=SECRET)
    anonymous = resolve(cfg, {}, network_bound=True)
    assert anonymous.role == ANONYMOUS and anonymous.accounts and not anonymous.sees_dashboard
    director = resolve(cfg, {}, network_bound=True, account=("z@ngo.org", "director"))
    assert director.manages_accounts and director.sees_data_page and not director.can_import
    funder = resolve(cfg, {}, network_bound=True, account=("c@tesco.com", "funder:乐购"))
    assert funder.role == FUNDER and funder.funder == "乐购" and not funder.manages_accounts
    staff = resolve(cfg, {}, network_bound=True, account=("l@ngo.org", "staff"))
    assert staff.can_import and not staff.manages_accounts
    # Without accounts on, a cookie's account means nothing.
    assert resolve(Settings(), {}, network_bound=True,
                   account=("z@ngo.org", "director")).role == "network"


def _cli(*args, data_dir, env_extra=None):
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT), accounts.SECRET_ENV: SECRET,
           "HOME": data_dir, **(env_extra or {})}
    env.pop(accounts.FILE_ENV, None)
    env.pop("IMPACT_AUDIT_LOG", None)
    return subprocess.run([sys.executable, "-m", "impact", "user", *args,
                           "--data-dir", data_dir], capture_output=True, text=True,
                          cwd=data_dir, env=env, timeout=300)


def test_cli_user_add_list_reset_disable(data_dir, app):
    added = _cli("add", "csr@tesco.example.com", "--role", "funder:乐购",
                 "--base-url", "https://impact.example.org", data_dir=data_dir)
    assert added.returncode == 0, added.stderr
    url = added.stdout.strip()
    assert url.startswith("https://impact.example.org/auth/invite/")
    path = urlsplit(url).path + "?" + urlsplit(url).query
    assert Browser(app).request("GET", path)["status"] == 200
    listed = _cli("list", "--json", data_dir=data_dir)
    assert json.loads(listed.stdout) == [{**json.loads(listed.stdout)[0],
                                          "email": "csr@tesco.example.com",
                                          "role": "funder:乐购", "status": "invited"}]
    reset = _cli("reset", "csr@tesco.example.com", "--base-url", "https://impact.example.org",
                 data_dir=data_dir)
    assert reset.returncode == 0 and reset.stdout.strip() != url
    assert Browser(app).request("GET", path)["status"] == 404  # the old link is dead
    assert _cli("disable", "csr@tesco.example.com", data_dir=data_dir).returncode == 0
    assert "disabled" in _cli("list", data_dir=data_dir).stdout
    bad = _cli("add", "not-an-email", "--role", "staff", "--base-url", "https://x.org",
               data_dir=data_dir)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "e-mail" in bad.stderr
    role = _cli("add", "x@ngo.org", "--role", "admin", "--base-url", "https://x.org",
                data_dir=data_dir)
    assert role.returncode == 2 and "expected staff, director" in role.stderr
    events = [e["event"] for e in audit.read(data_dir)]
    assert events == ["account_invited", "password_reset", "account_disabled"]


def test_template_accounts_block_left_unfilled_is_refused():
    import tomllib

    text = (ROOT / ".streamlit" / "secrets.toml.example").read_text("utf-8")
    start = text.index("# [accounts]")
    block = "\n".join(line[2:] for line in text[start:].splitlines()[:3])
    secrets = tomllib.loads(block)
    assert secrets["accounts"]["enabled"] is True
    with pytest.raises(AccessError, match="cookie_secret"):
        accounts.check_secret(secrets["accounts"]["cookie_secret"])
