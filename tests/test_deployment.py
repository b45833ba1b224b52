"""The setup a small NGO needs (docs/deployment.md), run as the page gives it: a public
process and an accounts process on loopback, on one data directory, behind nginx with TLS.

The nginx configuration and the staff secrets are read from docs/deployment.md itself (only
the ports, the certificate and the secrets are replaced), so the recipe cannot drift from what
is tested. Chromium then signs in as a director, a staff member and a `funder:乐购` account
(invited with `impact user add`), opens a funder link made with `impact link` without an
account, a tampered copy of it, and the public site.

Screenshots of the sign-in page, /accounts and the funder link's view (1400 and 390 px wide)
go to $IMPACT_SCREENSHOT_DIR when set (docs/screenshots), else to a temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from impact.bench.proxy import nginx_path
from tests.browser_support import (CHROMIUM_ARGS, ROOT, free_port, settled,
                                   streamlit_server, wait_idle)
from tests.conftest import DEMO_DIR

pytestmark = [pytest.mark.browser,
              pytest.mark.requires("chromium", "cjk-fonts", "nginx", "openssl")]

DOC = ROOT / "docs" / "deployment.md"
LINK_SECRET = "l" * 48
COOKIE_SECRET = "c" * 48
# Every variable that would change what the processes or the commands read.
CLEAN_ENV = {"IMPACT_DATA_DIR": None, "IMPACT_MODE": None, "IMPACT_AUDIT_LOG": None,
             "IMPACT_ACCOUNTS_SECRET": None, "IMPACT_ACCOUNTS_FILE": None,
             "IMPACT_LINK_SECRET": None, "STREAMLIT_SECRETS_FILES": None}


def doc_block(lang: str, first_line: str) -> str:
    """The fenced ```lang block of docs/deployment.md whose first line is `first_line`."""
    for block in re.findall(rf"^( *)```{lang}\n(.*?)^\1```", DOC.read_text(encoding="utf-8"),
                            re.M | re.S):
        text = textwrap.dedent(block[1])
        if text.startswith(first_line):
            return text
    raise AssertionError(f"docs/deployment.md has no ```{lang} block starting {first_line!r}")


def replace(text: str, old: str, new: str) -> str:
    """`old` → `new`, failing if the recipe no longer has `old` (then this test needs the
    same change the docs got)."""
    assert old in text, f"the recipe in docs/deployment.md no longer has {old!r}"
    return text.replace(old, new)


def nginx_site(public: int, staff: int, http: int, https: int, cert: Path, key: Path) -> str:
    conf = doc_block("nginx", "# impact.conf")
    conf = replace(conf, "listen 80;", f"listen 127.0.0.1:{http};")
    conf = replace(conf, "listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;")
    conf = replace(conf, "/etc/letsencrypt/live/impact.example.org/fullchain.pem", str(cert))
    conf = replace(conf, "/etc/letsencrypt/live/impact.example.org/privkey.pem", str(key))
    conf = replace(conf, "http://127.0.0.1:8601", f"http://127.0.0.1:{public}")
    return replace(conf, "http://127.0.0.1:8602/", f"http://127.0.0.1:{staff}/")


@contextmanager
def nginx(site: str, prefix: Path, health: str):
    """nginx in the foreground with `site` inside its http block, every file under `prefix`;
    yields once `health` answers through it."""
    temp = "\n".join(f"    {name}_temp_path {prefix}/{name};"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = prefix / "nginx.conf"
    conf.write_text(f"""{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {prefix}/access.log;
{temp}
{textwrap.indent(site, "    ")}
}}
""", encoding="utf-8")
    proc = subprocess.Popen([nginx_path(), "-p", str(prefix), "-c", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        insecure = ssl._create_unverified_context()  # the test's self-signed certificate
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError("nginx exited: " + proc.stderr.read().decode()[-1500:])
            try:
                if urllib.request.urlopen(health, timeout=2, context=insecure).status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)  # polling interval of a state check
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def command(cwd: Path, *args: str) -> str:
    """`python -m impact …` run where the server starts (it reads the same secrets)."""
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-m", "impact", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deployment")
    data = tmp / "data"
    shutil.copytree(DEMO_DIR, data)
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    # The staff secrets as the docs give them; the public process only the link secret.
    app = tmp / "app"
    (app / ".streamlit").mkdir(parents=True)
    staff_secrets = app / ".streamlit" / "secrets.toml"
    toml = doc_block("toml", 'link_secret = "…"')
    toml = replace(toml, 'link_secret = "…"', f'link_secret = "{LINK_SECRET}"')
    staff_secrets.write_text(replace(toml, 'cookie_secret = "…"',
                                     f'cookie_secret = "{COOKIE_SECRET}"'), encoding="utf-8")
    public_secrets = tmp / "public-secrets.toml"
    public_secrets.write_text(f'link_secret = "{LINK_SECRET}"\n', encoding="utf-8")
    http, https = free_port(), free_port()
    prefix = tmp / "nginx"
    prefix.mkdir()
    with streamlit_server({**CLEAN_ENV, "IMPACT_MODE": "public"},
                          ["--secrets.files", str(public_secrets)],
                          ["--data-dir", str(data)]) as public, \
            streamlit_server(CLEAN_ENV, ["--secrets.files", str(staff_secrets)],
                             ["--data-dir", str(data)]) as staff:
        site = nginx_site(int(public.rsplit(":", 1)[1]), int(staff.rsplit(":", 1)[1]),
                          http, https, cert, key)
        base = f"https://127.0.0.1:{https}"
        with nginx(site, prefix, f"{base}/staff/_stcore/health"):
            yield {"base": base, "http": f"http://127.0.0.1:{http}", "app": app,
                   "data": data}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from impact.report.browser import chromium_path
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    target = os.environ.get("IMPACT_SCREENSHOT_DIR")
    path = Path(target) if target else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def fresh_page(browser, width: int = 1400):
    """A page in its own browser context (another person's browser), over the test's
    self-signed certificate."""
    context = browser.new_context(ignore_https_errors=True,
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.set_default_navigation_timeout(120_000)
    return page


def heading(page, text: str, lang: str = "en") -> None:
    """Until the page titled `text` is drawn whole (its menu too: what it lacks is checked)."""
    page.get_by_role("heading", name=text, level=1).wait_for()
    settled(page, lang)


def menu(page) -> str:
    return page.locator("[data-testid='stSidebar']").inner_text()


def body(page) -> str:
    return page.locator("body").inner_text()


def invite(deployment, email: str, role: str) -> str:
    return command(deployment["app"], "user", "add", email, "--role", role, "--base-url",
                   f"{deployment['base']}/staff", "--lang", "en", "--data-dir",
                   str(deployment["data"]))


def set_password(page, link: str, password: str) -> None:
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("New password again").fill(password)
    page.get_by_role("button", name="Set password and sign in").click()


def other_funders(data: Path) -> set[str]:
    from impact.storage.db import Database

    return {r["funder"] for r in Database(str(data)).rows("funder_names", orgs=[])} - {"乐购"}


def shoot(page, folder: Path, name: str, lang: str | None = "zh") -> None:
    """The page at 1400 and at 390 px wide, whole (a Streamlit page once it is settled:
    drawn, styled, no skeleton left)."""
    for width, height in ((1400, 1100), (390, 1500)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function("w => window.innerWidth === w", arg=width)
        if lang:
            settled(page, lang)
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 900})


def test_the_recipe_behind_nginx_with_tls(deployment, browser, shots):
    base, data = deployment["base"], deployment["data"]

    # Plain http is sent to https.
    try:
        urllib.request.build_opener(_NoRedirect).open(f"{deployment['http']}/overview",
                                                      timeout=10)
        raise AssertionError("plain http was served, not redirected")
    except urllib.error.HTTPError as exc:
        assert exc.code == 301 and exc.headers["Location"].startswith("https://")

    # The director, invited from the shell, sets a password and lands on the dashboard.
    director = fresh_page(browser)
    set_password(director, invite(deployment, "zhang@ngo.example.org", "director"),
                 "director password 1")
    heading(director, "Overview")
    assert urlsplit_path(director.url).startswith("/staff/")
    assert "zhang@ngo.example.org" in menu(director) and "Accounts" in menu(director)
    [session] = [c for c in director.context.cookies() if c["name"] == "impact_session"]
    assert session["secure"] and session["httpOnly"]  # X-Forwarded-Proto reached the app

    staff_link = invite(deployment, "lin@ngo.example.org", "staff")
    funder_link = invite(deployment, "csr@tesco.example.com", "funder:乐购")

    # Staff: the data page with its import; no account management.
    staff = fresh_page(browser)
    set_password(staff, staff_link, "staff password 12")
    heading(staff, "Overview")
    assert "Accounts" not in menu(staff)
    staff.goto(f"{base}/staff/data?lang=en")
    heading(staff, "Data import")
    staff.locator("[data-testid='stFileUploader']").first.wait_for()

    # The funder's account: its own funder view, no data, report, share or accounts pages.
    funder = fresh_page(browser)
    set_password(funder, funder_link, "funder password 1")
    heading(funder, "Overview")
    funder.get_by_text("Funder view: 乐购").wait_for()
    for page_name in ("Data", "Accounts", "Share", "Report"):
        assert page_name not in menu(funder)

    # /accounts lists all three (screenshot), in Chinese.
    director.goto(f"{base}/staff/accounts?lang=zh")
    heading(director, "账户", "zh")
    director.get_by_text("csr@tesco.example.com").first.wait_for()
    shoot(director, shots, "accounts")

    # The sign-in form under /staff/: the director signs in again in a new browser.
    again = fresh_page(browser)
    again.goto(f"{base}/staff/auth/sign-in?lang=zh")
    again.get_by_role("heading", name="登录", level=1).wait_for()
    shoot(again, shots, "sign-in", lang=None)
    again.goto(f"{base}/staff/auth/sign-in?lang=en")
    again.get_by_label("E-mail").fill("zhang@ngo.example.org")
    again.get_by_label("Password").fill("director password 1")
    again.get_by_role("button", name="Sign in with e-mail and password").click()
    heading(again, "Overview")
    assert "Accounts" in menu(again)

    # A funder link made on the command line, opened with no account on the public site.
    link = command(deployment["app"], "link", "--funder", "乐购", "--from", "2020", "--to",
                   "2021", "--days", "7", "--base-url", base, "--lang", "en")
    assert link.startswith(f"{base}/grants?share=")
    visitor = fresh_page(browser)
    visitor.goto(link)
    visitor.get_by_text("688,574.43").first.wait_for()
    wait_idle(visitor)
    shown = body(visitor)
    assert not [f for f in other_funders(data) if f in shown]
    assert "Sign in" not in shown
    visitor.goto(link.replace("lang=en", "lang=zh"))
    visitor.get_by_text("688,574.43").first.wait_for()
    shoot(visitor, shots, "funder-link")

    # A tampered link: one line of refusal, no figures.
    payload, signature = link.split("share=", 1)[1].split("&", 1)[0].split(".")
    other = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB")
    bad = fresh_page(browser)
    bad.goto(f"{base}/grants?share={other}.{signature}&lang=en")
    bad.get_by_text("This link is not valid").wait_for()
    wait_idle(bad)
    assert bad.locator("[data-testid='stAlert']").count() == 1
    assert not bad.locator("[data-testid='stMetric']").count()
    assert "688,574.43" not in body(bad)

    # The public site: totals, no sign-in, no data page, no funder named.
    public = fresh_page(browser)
    public.goto(f"{base}/overview?lang=en")
    heading(public, "Overview")
    assert public.locator("[data-testid='stMetric']").count()
    nav = menu(public)
    for page_name in ("Data", "Accounts", "Share", "Report", "Sign in"):
        assert page_name not in nav
    assert not public.locator("input[type='password']").count()
    public.goto(f"{base}/finance?lang=en")
    heading(public, "Finance")
    shown = body(public)
    assert not [f for f in other_funders(data) | {"乐购"} if f in shown]
    public.goto(f"{base}/data?lang=en")
    wait_idle(public)
    assert not public.locator("[data-testid='stFileUploader']").count()


def urlsplit_path(url: str) -> str:
    from urllib.parse import urlsplit
    return urlsplit(url).path


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
