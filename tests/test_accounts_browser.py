"""In Chromium: built-in accounts end to end. A director is invited (as `impact user add`
does), sets a password through the link and invites a staff member on /accounts; a
`funder:乐购` account is invited too. Each signs in through the browser and sees what its
role allows; a disabled account and a wrong password (up to the lock) are refused, and the
audit log holds every step."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import pytest

from impact.access import accounts, audit, passwords
from tests.browser_support import streamlit_server, wait_drawn
from tests.conftest import DEMO_DIR
from tests.test_browser import browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.requires("chromium", "cjk-fonts")]

SECRET = "b" * 48


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = tmp_path_factory.mktemp("accounts") / "data"
    shutil.copytree(DEMO_DIR, data)
    log = tmp_path_factory.mktemp("audit") / "audit.jsonl"
    env = {"IMPACT_DATA_DIR": str(data), "IMPACT_AUDIT_LOG": str(log),
           accounts.SECRET_ENV: SECRET, "IMPACT_MODE": None, accounts.FILE_ENV: None}
    with streamlit_server(env) as base:
        yield base, str(data), log


def fresh_page(browser):
    """A page in its own browser context: its own cookies, as another person's browser."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.set_default_navigation_timeout(120_000)
    return page


def heading(page, text: str) -> None:
    """Until the page titled `text` is drawn, its menu too: a finished run's page links can
    still be placeholders while their code loads (a fresh-clone run read a director's menu
    then, without Accounts), and a menu read then would also pass the staff and funder
    checks that Accounts is absent without showing anything."""
    page.get_by_role("heading", name=text, level=1).wait_for()
    wait_drawn(page)


def set_password(page, link: str, password: str) -> None:
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("New password again").fill(password)
    page.get_by_role("button", name="Set password and sign in").click()


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/auth/sign-in?lang=en")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in with e-mail and password").click()


def account_row(page, email: str):
    """The /accounts row of one account (its own buttons)."""
    return page.locator("[class*='st-key-accounts_row_']", has_text=email)


def menu(page) -> str:
    return page.locator("[data-testid='stSidebar']").inner_text()


def test_accounts_in_the_browser(site, browser, monkeypatch):  # noqa: F811
    base, data_dir, log = site
    monkeypatch.setenv("IMPACT_AUDIT_LOG", str(log))  # this process writes where the server does
    store = accounts.Store(data_dir)
    url = accounts.admin_invite(store, accounts.Tokens(SECRET), "zhang@ngo.example.org",
                                "director", "admin@host", data_dir, base, "en")

    # The director sets a password through the link, lands on the dashboard, signed in.
    director = fresh_page(browser)
    set_password(director, url, "director password 1")
    heading(director, "Overview")
    assert "zhang@ngo.example.org" in menu(director) and "Accounts" in menu(director)

    # …and invites a staff member on /accounts (the link is shown once, to copy).
    director.goto(f"{base}/accounts?lang=en")
    heading(director, "Accounts")
    director.get_by_label("E-mail address").fill("lin@ngo.example.org")
    director.get_by_role("button", name="Make invitation link").click()
    code = director.locator("[data-testid='stCode'] code")
    code.wait_for()
    staff_link = code.inner_text().strip()
    assert urlsplit(staff_link).path.startswith("/auth/invite/")
    funder_link = accounts.admin_invite(store, accounts.Tokens(SECRET), "csr@tesco.example.com",
                                        "funder:乐购", "zhang@ngo.example.org", data_dir, base,
                                        "en")

    # Staff: the data page (import) is theirs; no account management.
    staff = fresh_page(browser)
    set_password(staff, staff_link, "staff password 12")
    heading(staff, "Overview")
    assert "Accounts" not in menu(staff)
    staff.goto(f"{base}/data?lang=en")
    heading(staff, "Data import")

    # The funder: only its own funder view, no data, report or accounts pages.
    funder = fresh_page(browser)
    set_password(funder, funder_link, "funder password 1")
    heading(funder, "Overview")
    funder.get_by_text("Funder view: 乐购").wait_for()
    for page_name in ("Data", "Accounts", "Share", "Report"):
        assert page_name not in menu(funder)
    funder.goto(f"{base}/accounts?lang=en")
    wait_drawn(funder)
    assert not funder.get_by_role("heading", name="Accounts", level=1).count()

    # The director signs out (Streamlit opens a link button in a new tab: the form is
    # there); the cookie is gone, the dashboard asks for a sign-in, and the old tab's
    # session ends on its next run.
    with director.context.expect_page() as opened:
        director.get_by_role("link", name="Sign out").click()
    out = opened.value
    out.get_by_role("button", name="Sign out").click()
    out.get_by_role("heading", name="Sign in", level=1).wait_for()
    director.reload()
    director.get_by_role("heading", name="Sign in", level=1).wait_for()
    sign_in(director, base, "zhang@ngo.example.org", "director password 1")
    heading(director, "Overview")

    # The director disables the staff account on /accounts (the button on its row): its
    # open session ends, its sign-in fails.
    director.goto(f"{base}/accounts?lang=en")
    heading(director, "Accounts")
    row = account_row(director, "lin@ngo.example.org")
    row.get_by_role("button", name="Disable").click()
    account_row(director, "lin@ngo.example.org").get_by_role("button", name="Enable").wait_for()
    assert accounts.Store(data_dir).get("lin@ngo.example.org").status == "disabled"
    staff.goto(f"{base}/overview?lang=en")
    staff.get_by_role("heading", name="Sign in", level=1).wait_for()
    sign_in(staff, base, "lin@ngo.example.org", "staff password 12")
    staff.get_by_text("Wrong e-mail or password").wait_for()

    # Wrong passwords: refused, then locked (even the right one, for a while).
    intruder = fresh_page(browser)
    for _ in range(passwords.MAX_FAILURES):
        sign_in(intruder, base, "csr@tesco.example.com", "not the password")
        intruder.get_by_role("alert").wait_for()
    sign_in(intruder, base, "csr@tesco.example.com", "funder password 1")
    intruder.get_by_text("Too many wrong passwords").wait_for()

    entries = [(e["event"], e.get("account") or e["identity"]) for e in audit.read(data_dir)]
    for step in (("account_invited", "zhang@ngo.example.org"),
                 ("password_set", "zhang@ngo.example.org"),
                 ("account_invited", "lin@ngo.example.org"),
                 ("account_invited", "csr@tesco.example.com"),
                 ("password_set", "lin@ngo.example.org"),
                 ("password_set", "csr@tesco.example.com"),
                 ("sign_out", "zhang@ngo.example.org"),
                 ("sign_in", "zhang@ngo.example.org"),
                 ("account_disabled", "lin@ngo.example.org"),
                 ("sign_in_failed", "lin@ngo.example.org"),
                 ("sign_in_failed", "csr@tesco.example.com")):
        assert step in entries, step
    assert any(e["event"] == "sign_in_failed" and e.get("reason") == "locked"
               for e in audit.read(data_dir))
    invited_by = [e["identity"] for e in audit.read(data_dir)
                  if e["event"] == "account_invited" and e["account"] == "lin@ngo.example.org"]
    assert invited_by == ["zhang@ngo.example.org"]
