"""Streamlit side of access control: settings from secrets, the visitor's Access per run,
the funder link in the URL, the staff password with its rate limit, the sign-in page.

The decisions themselves are impact.access.policy (pure); this module only gathers the request.
"""

from __future__ import annotations

import logging
import os

import streamlit as st

from impact.access import accounts, audit, funderlink, passwords, secretsfile
from impact.access.policy import (FUNDER, PRIVATE, Access, AccessError, Scope, Settings,
                                  check_auth, describe, forwarded, network_visitor, parse_mode,
                                  resolve, roles_from, visible_funders)
from impact.filters import Filters
from impact.presentation.i18n import t
from impact.presentation.safetext import as_markdown

MODE_ENV = "IMPACT_MODE"
HASH_ENV = "IMPACT_STAFF_PASSWORD_HASH"
LINK_SECRET_ENV = secretsfile.LINK_SECRET_ENV
_PASSWORD_OK = "_impact_staff_ok"
_LINK = "_impact_link"  # (token, FunderLink | None, refusal key | None)


def _secret(key: str, default=None):
    try:
        return st.secrets.get(key, default)
    except (FileNotFoundError, OSError, ValueError):  # no secrets.toml, or unreadable
        return default
    except Exception:  # noqa: BLE001 — a malformed secrets.toml must not open the data
        return default


def settings() -> Settings:
    """The deployment's settings: secrets first, environment variables for the rest."""
    mode = parse_mode(os.environ.get(MODE_ENV) or _secret(MODE_ENV) or PRIVATE)
    auth = _secret("auth")
    check_auth(auth)
    access = dict(_secret("access", {}) or {})
    funders = {str(k): [str(p) for p in v]
               for k, v in dict(access.get("funder_projects", {}) or {}).items()}
    return Settings(
        mode=mode, auth=bool(auth), accounts_secret=accounts_secret(),
        roles=roles_from(_secret("roles", {})),
        default_role=access.get("default_role"),
        password_hash=_secret("staff_password_hash") or os.environ.get(HASH_ENV) or None,
        link_secret=secretsfile.link_secret(
            {secretsfile.LINK_SECRET_KEY: _secret(secretsfile.LINK_SECRET_KEY)}),
        funder_projects=funders)


def accounts_secret() -> str | None:
    """The cookie secret when built-in accounts are on: `[accounts] enabled = true` with its
    `cookie_secret` (or $IMPACT_ACCOUNTS_SECRET); None when they are off. A secret too short
    or still the template's placeholder is refused (AccessError), never used."""
    block = dict(_secret("accounts", {}) or {})
    env = os.environ.get(accounts.SECRET_ENV)
    if block.get("enabled") is True or (not block and env):
        return accounts.check_secret(block.get("cookie_secret") or env)
    return None


def account_store(data_dir: str | None) -> accounts.Store:
    return accounts.Store(data_dir)


def _account(cfg: Settings) -> tuple[str, str] | None:
    """The built-in account this visitor's session cookie stands for, checked on every run
    (signature, age, the account still active, its generation unchanged)."""
    if not cfg.accounts_secret:
        return None
    try:
        cookie = (st.context.cookies or {}).get(accounts.COOKIE)
    except Exception:  # noqa: BLE001 — no request context
        cookie = None
    if not cookie:
        return None
    try:
        store = account_store(st.session_state.get("_impact_data_dir"))
    except accounts.AccountError:
        return None
    account = accounts.signed_in(store, accounts.Tokens(cfg.accounts_secret), cookie)
    return (account.email, account.role) if account else None


def request_headers() -> dict:
    """This session's request headers (the websocket's opening request)."""
    try:
        return dict(st.context.headers or {})
    except Exception:  # noqa: BLE001 — no request context (a script run without a browser)
        return {}


log = logging.getLogger("impact.access")


def log_start() -> str:
    """Say in the server log, at start-up, which access mode this server runs in and why
    (a secrets file turns features on silently otherwise)."""
    try:
        line = describe(settings(), st.get_option("server.address"))
    except (AccessError, passwords.PasswordFormatError) as exc:
        line = f"access settings refused, every page will say so: {exc}"
        log.error(line)
        return line
    log.warning(line)  # warning: shown under Streamlit's default log level
    return line


def network_bound() -> bool:
    """Whether this visitor is not the local user: the server listens beyond this machine
    (server.address empty = everywhere), or a reverse proxy forwarded the request (a
    loopback server behind nginx must not give every remote visitor local rights)."""
    return network_visitor(st.get_option("server.address"), request_headers())


def _user() -> dict:
    try:
        return st.user.to_dict()
    except Exception:  # noqa: BLE001 — no user info outside a session
        return {}


def _link(cfg: Settings, params: dict) -> tuple[funderlink.FunderLink | None, str | None]:
    """The funder link of this session: the URL's, else the one this session opened with.

    Verified on every run, not once: a link that expires while its tab is open stops
    working on the next click (a remembered "valid" would serve it for ever)."""
    tokens = params.get(funderlink.PARAM) or []
    saved = st.session_state.get(_LINK)
    token = tokens[-1] if tokens else (saved[0] if saved else None)
    if token is None:
        return None, None
    try:
        link, refusal = funderlink.read_token(token, cfg.link_secret), None
    except funderlink.LinkError as exc:
        link, refusal = None, exc.key
        if not saved or saved[0] != token or saved[2] != refusal:  # once, not every rerun
            audit.record("link_refused", "anonymous", st.session_state.get("_impact_data_dir"),
                         reason=exc.key)
    st.session_state[_LINK] = (token, link, refusal)
    return link, refusal


def current_access(db, params: dict) -> tuple[Access, str | None]:
    """The visitor's Access for this run, and a refused link's reason (a locale key)."""
    try:
        cfg = settings()
    except (AccessError, passwords.PasswordFormatError) as exc:
        st.error(as_markdown(t("access.bad_settings", "zh", detail=str(exc)) + "\n\n"
                             + t("access.bad_settings", "en", detail=str(exc))))
        st.stop()
    link, refusal = _link(cfg, params)
    access = resolve(cfg, _user(), network_bound=network_bound(),
                     proxied=forwarded(request_headers()),
                     link=link.scope() if link else None,
                     link_funder=link.funder if link else None,
                     password_ok=bool(st.session_state.get(_PASSWORD_OK)),
                     account=_account(cfg))
    if access.role == FUNDER and access.scope is None:
        access = _with_funder_scope(access, db, cfg)
    if access.role == "unknown" and not st.session_state.get("_impact_denied_logged"):
        st.session_state["_impact_denied_logged"] = True
        audit.record("sign_in_failed", access.identity,
                     st.session_state.get("_impact_data_dir"), reason="no role")
    return access, refusal


def _with_funder_scope(access: Access, db, cfg: Settings) -> Access:
    """A signed-in funder sees the projects its income transactions name, plus any listed
    for it in secrets ([access.funder_projects])."""
    rows = db.rows("funder_projects", funder=access.funder)
    explicit = set(cfg.funder_projects.get(access.funder, ()))
    projects = tuple(dict.fromkeys([r["project"] for r in rows] + sorted(explicit)))
    orgs = tuple(dict.fromkeys(r["org"] for r in rows))
    if explicit:
        orgs = tuple(dict.fromkeys([*orgs, *(r["org"] for r in db.rows(
            "filter_projects", orgs=[]) if r["project"] in explicit)]))
    # No project at all: an empty scope must show nothing, not everything.
    return Access(**{**vars(access), "scope": Scope(orgs=orgs or ("\x00none",),
                                                    projects=projects or ("\x00none",))})


def clamp(filters: Filters, scope: Scope | None) -> Filters:
    """The selection narrowed to what the scope allows: an empty choice means "all I may see"."""
    if scope is None:
        return filters
    orgs = tuple(o for o in filters.orgs if o in scope.orgs) or scope.orgs
    projects = tuple(p for p in filters.projects if p in scope.projects) or scope.projects
    year_from, year_to = filters.year_from, filters.year_to
    if scope.year_from is not None:
        year_from = max(year_from if year_from is not None else scope.year_from,
                        scope.year_from)
    if scope.year_to is not None:
        year_to = min(year_to if year_to is not None else scope.year_to, scope.year_to)
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from = year_to = scope.year_to
    return Filters(orgs=orgs, year_from=year_from, year_to=year_to, projects=projects,
                   areas=filters.areas)


DONOR_KPI = "largest_donor_share"  # impact.views.finance: the largest single donor's share


def visible_finance(model, access: Access):
    """The finance page's model as this visitor may see it: `donor_notice` the single-donor
    warning to show (named for those who see every funder, unnamed for the public, none for
    a funder: the largest donor is a co-funder as often as not), and a funder's funders
    table its own line, without the largest donor's share."""
    from dataclasses import replace

    if access.sees_other_funders:
        return model
    if access.role != FUNDER:
        return replace(model, donor_notice=model.donor_notice_unnamed)
    return replace(model, donor_notice=None, donor_notice_unnamed=None,
                   kpis=[k for k in model.kpis if k.key != DONOR_KPI],
                   funders=visible_funders(model.funders, access))


# ---------------------------------------------------------------------------- staff password

def _limit_keys() -> tuple[str, ...]:
    """Rate-limit keys: this session, and the visitor's address (shared by all its sessions,
    so opening a new tab does not reset the count)."""
    session = st.session_state.get("_impact_session_key")
    if session is None:
        session = st.session_state["_impact_session_key"] = os.urandom(8).hex()
    try:
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 — no request context (tests)
        address = None
    return f"session:{session}", f"addr:{address or 'unknown'}"


def password_form(lang: str, data_dir: str | None) -> bool:
    """Ask for the staff password; refuse while this session or address is locked out.
    True once the right password is typed (this session is staff from then on)."""
    notice = st.empty()
    notice.info(t("data.staff.locked", lang), icon=":material/lock:")
    keys = _limit_keys()
    wait = passwords.LIMITER.wait_s(*keys)
    if wait:
        st.error(as_markdown(t("access.password.wait", lang, seconds=wait)))
        return False
    slot = st.empty()
    entered = slot.text_input(t("data.staff.password", lang), type="password", key="data_pw")
    if not entered:
        return False
    stored = settings().password_hash or ""
    if passwords.verify_password(entered, stored):
        passwords.LIMITER.success(keys[0])
        st.session_state[_PASSWORD_OK] = True
        slot.empty()
        notice.empty()
        return True
    passwords.LIMITER.failure(*keys)
    audit.record("sign_in_failed", f"password ({keys[1]})", data_dir, reason="wrong password")
    wait = passwords.LIMITER.wait_s(*keys)
    st.error(as_markdown(t("access.password.wait", lang, seconds=wait) if wait
                         else t("data.staff.wrong", lang)))
    return False


def refusal_page(refusal: str, lang: str) -> None:
    """A refused funder link, for a visitor with no view of their own: one line, no figures."""
    st.error(t(refusal, lang), icon=":material/link_off:")


def sign_in_page(access: Access, lang: str) -> None:
    """What an anonymous visitor (or an e-mail without a role) sees when sign-in is on."""
    from impact.web.widgets import heading
    heading(1, t("access.sign_in.title", lang))
    st.markdown(t(access.reason or "access.reason.sign_in", lang))
    if access.accounts and access.role == "anonymous":
        # A relative address: right behind a proxy's prefix too (the page is /<page>).
        st.link_button(t("account.sign_in.button", lang), f"auth/sign-in?lang={lang}",
                       type="primary", icon=":material/login:")
    if access.role != "anonymous":
        st.button(t("access.sign_out", lang), on_click=st.logout, key="sign_out")
    elif not access.accounts or _secret("auth"):  # OpenID Connect's own button
        st.button(t("access.sign_in.button", lang), on_click=st.login,
                  type="secondary" if access.accounts else "primary",
                  icon=":material/login:", key="sign_in")

