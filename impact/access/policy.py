"""Who may see and do what: the mode, the signed-in role, and what follows from them.

Pure (no Streamlit), so it is tested directly; `impact.web.auth` feeds it the request.

Modes and roles (docs/deployment.md):
- public mode (`IMPACT_MODE=public`): no /data, no upload, data read-only, no raw records,
  finance as published totals and categories, small person counts suppressed.
- with an `[auth]` section (OpenID Connect): the role map in secrets gives each signed-in
  e-mail `staff`, `director`, `funder:<name>` or `viewer`; anyone else sees the sign-in page.
- without one: a single local user. On loopback, and only for a request no proxy forwarded,
  that user is staff; on a network address or through a proxy, staff features are refused
  (unless the staff password fallback is configured and typed).
- a signed funder link gives the `funder` view of one funder's projects and period, in
  either mode; it is checked (signature and expiry) on every run.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from impact.errors import UsageError

PUBLIC, PRIVATE = "public", "private"
STAFF, DIRECTOR, FUNDER, VIEWER = "staff", "director", "funder", "viewer"
LOCAL, NETWORK, PUBLIC_ROLE, ANONYMOUS, UNKNOWN = ("local", "network", "public", "anonymous",
                                                  "unknown")
ROLES = (STAFF, DIRECTOR, FUNDER, VIEWER)


class AccessError(UsageError):
    """A role map or setting that cannot be understood (named in one line)."""


@dataclass(frozen=True)
class Scope:
    """What a restricted viewer may select: organisations, projects, years (None = any)."""

    orgs: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None


@dataclass(frozen=True)
class Access:
    """The visitor's role and everything the pages ask about it."""

    role: str
    identity: str  # e-mail, "local", "public", "link:<funder>"; written to the audit log
    funder: str | None = None
    scope: Scope | None = None  # None: every organisation and project
    reason: str = ""  # locale key saying why staff features are off, when they are
    auth: bool = False  # OpenID Connect (or built-in accounts) configured
    accounts: bool = False  # built-in accounts on: the sign-in page offers /auth/sign-in
    needs_password: bool = False  # the staff password would unlock staff features
    notes: tuple[str, ...] = field(default=())

    @property
    def can_import(self) -> bool:
        return self.role in (STAFF, LOCAL)

    @property
    def can_correct(self) -> bool:
        return self.role in (STAFF, LOCAL)

    @property
    def sees_data_page(self) -> bool:
        """/data: staff and directors use it; a network visitor sees why it is closed."""
        return self.role in (STAFF, LOCAL, DIRECTOR, NETWORK)

    @property
    def can_make_links(self) -> bool:
        return self.role in (STAFF, LOCAL, DIRECTOR)

    @property
    def manages_accounts(self) -> bool:
        """/accounts: a director invites, disables and resets built-in accounts."""
        return self.accounts and self.role == DIRECTOR

    @property
    def sees_report(self) -> bool:
        return self.role in (STAFF, LOCAL, DIRECTOR, VIEWER, NETWORK)

    @property
    def sees_records(self) -> bool:
        """Raw activity records (drill-down): not for the public or funders."""
        return self.role not in (PUBLIC_ROLE, FUNDER, ANONYMOUS, UNKNOWN)

    @property
    def sees_funders(self) -> bool:
        """Income per funder: not for the public; a funder sees its own line only."""
        return self.role not in (PUBLIC_ROLE, ANONYMOUS, UNKNOWN)

    @property
    def sees_other_funders(self) -> bool:
        """Other funders' names and shares (the single-donor warning, the largest donor's
        share): not for a funder, who sees nothing of its co-funders, nor for the public."""
        return self.role not in (PUBLIC_ROLE, FUNDER, ANONYMOUS, UNKNOWN)

    @property
    def suppress(self) -> bool:
        """Small person counts hidden: public and funder views."""
        return self.role in (PUBLIC_ROLE, FUNDER)

    @property
    def sees_dashboard(self) -> bool:
        return self.role not in (ANONYMOUS, UNKNOWN)

    @property
    def refused_link_only(self) -> bool:
        """A refused link leaves this visitor nothing of their own to see instead: show the
        refusal and no figures (the public or an anonymous network visitor; a local user or
        staff keep their own view, with the refusal above it)."""
        return self.role in (PUBLIC_ROLE, NETWORK)

    @property
    def read_only(self) -> bool:
        return not self.can_import


@dataclass(frozen=True)
class Settings:
    """What a deployment configured (from secrets and the environment)."""

    mode: str = PRIVATE
    auth: bool = False
    roles: dict = field(default_factory=dict)  # e-mail (lower case) -> role text
    default_role: str | None = None  # role of a signed-in e-mail not in the map
    password_hash: str | None = None
    link_secret: str | None = None
    funder_projects: dict = field(default_factory=dict)  # funder -> [project, …] (explicit)
    accounts_secret: str | None = None  # built-in accounts on: the cookie secret


PLACEHOLDER = "REPLACE"  # the secrets template's filler (.streamlit/secrets.toml.example)


def check_auth(auth) -> None:
    """Refuse an [auth] block still holding the template's placeholders: it would turn on a
    sign-in that cannot work, and lock everyone (the local user too) out of the dashboard."""
    values = dict(auth or {})
    if any(PLACEHOLDER in str(v) for v in values.values()):
        raise AccessError("[auth] in secrets still holds the template's REPLACE placeholders: "
                          "fill in the provider's values, or comment the block out")


def describe(settings: Settings, address: str | None) -> str:
    """The access mode and why, in one line, for the server log at start-up."""
    links = ("funder links on" if settings.link_secret and len(settings.link_secret) >= 32
             and PLACEHOLDER not in settings.link_secret else "funder links off (no link_secret)")
    if settings.mode == PUBLIC:
        why = "IMPACT_MODE=public: read-only totals for everyone"
    elif settings.auth and settings.accounts_secret:
        why = (f"sign-in: built-in accounts ([accounts]) and [auth], {len(settings.roles)} "
               "e-mail(s) in [roles]")
    elif settings.accounts_secret:
        why = "sign-in: built-in accounts ([accounts]); anyone else sees the sign-in page"
    elif settings.auth:
        why = f"sign-in: [auth] is set, {len(settings.roles)} e-mail(s) in [roles]"
    elif settings.password_hash:
        why = "staff password: no [auth], staff_password_hash is set"
    elif is_loopback(address):
        why = (f"local single user: no [auth], listening on {address} only; a request a "
               "proxy forwards is a read-only network visitor")
    else:
        why = (f"network, read-only: no [auth] and listening on {address or 'every interface'}"
               "; staff features are off")
    return f"access mode: {why}; {links}"


def parse_mode(value: str | None) -> str:
    mode = (value or PRIVATE).strip().lower()
    if mode not in (PUBLIC, PRIVATE):
        raise AccessError(f"IMPACT_MODE={value!r}: expected 'public' or 'private'")
    return mode


def public_mode() -> bool:
    """$IMPACT_MODE=public (the CLI's view; the dashboard also reads secrets)."""
    import os

    return parse_mode(os.environ.get("IMPACT_MODE")) == PUBLIC


def parse_role(text: str) -> tuple[str, str | None]:
    """'staff' → ('staff', None); 'funder:乐购' → ('funder', '乐购')."""
    role, _, name = str(text).strip().partition(":")
    role = role.strip().lower()
    if role == FUNDER:
        if not name.strip():
            raise AccessError(f"role {text!r}: a funder role names the funder (funder:乐购)")
        return FUNDER, name.strip()
    if role not in ROLES or name:
        raise AccessError(f"role {text!r}: expected staff, director, viewer or funder:<name>")
    return role, None


def is_loopback(address: str | None) -> bool:
    """Streamlit's server.address: empty means every interface (not loopback)."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False


# Headers a reverse proxy adds for the visitor it forwards (nginx `proxy_set_header`, RFC 7239).
FORWARDING_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")


def forwarded(headers) -> bool:
    """Whether a request came through a proxy: then the loopback peer is the proxy, and the
    person is somewhere else (a network visitor, not the local user)."""
    names = {str(name).strip().lower() for name in (headers or {})}
    return any(h in names for h in FORWARDING_HEADERS)


def network_visitor(address: str | None, headers) -> bool:
    """A visitor without local rights: the server listens beyond loopback, or the request
    was forwarded by a proxy. Local means loopback AND no forwarding header."""
    return not is_loopback(address) or forwarded(headers)


def resolve(settings: Settings, user: dict | None, *, network_bound: bool,
            link: Scope | None = None, link_funder: str | None = None,
            password_ok: bool = False, proxied: bool = False,
            account: tuple[str, str] | None = None) -> Access:
    """The visitor's Access. `user` is st.user as a dict; `link`/`link_funder` a verified
    funder link's scope; `password_ok` that this session typed the staff password; `proxied`
    that a reverse proxy forwarded the request (network_bound is then true as well);
    `account` the (e-mail, role) of a built-in account whose session cookie was verified
    this run (impact.access.accounts.signed_in)."""
    # A verified link first: it is how a funder gets in, on a public server (the one an NGO
    # exposes) as on a private one; its scope is narrower than the public view's.
    if link is not None:
        return Access(FUNDER, f"link:{link_funder}", funder=link_funder, scope=link,
                      reason="access.reason.link", auth=settings.auth)
    if settings.mode == PUBLIC:
        return Access(PUBLIC_ROLE, "public", reason="access.reason.public")
    accounts = bool(settings.accounts_secret)
    if accounts and account is not None:
        role, funder = parse_role(account[1])
        return Access(role, account[0], funder=funder, auth=True, accounts=True,
                      reason="access.reason.director" if role == DIRECTOR else "")
    if settings.auth and ((user or {}).get("is_logged_in") or not accounts):
        return _signed_in(settings, user or {}, accounts)
    if accounts:
        return Access(ANONYMOUS, "anonymous", reason="access.reason.sign_in", auth=True,
                      accounts=True)
    if settings.password_hash:
        if password_ok:
            return Access(STAFF, "staff-password", auth=False)
        return Access(NETWORK, "anonymous", reason="access.reason.password",
                      needs_password=True)
    if network_bound:
        return Access(NETWORK, "anonymous", reason="access.reason.proxied" if proxied
                      else "access.reason.network")
    return Access(LOCAL, "local", reason="access.reason.local")


def _signed_in(settings: Settings, user: dict, accounts: bool = False) -> Access:
    if not user.get("is_logged_in"):
        return Access(ANONYMOUS, "anonymous", reason="access.reason.sign_in", auth=True,
                      accounts=accounts)
    email = str(user.get("email") or "").strip().lower()
    if user.get("email_verified") is False:  # a self-hosted provider may let anyone type one
        return Access(UNKNOWN, email or "?", reason="access.reason.no_role", auth=True)
    text = settings.roles.get(email) or settings.default_role
    if not text:
        return Access(UNKNOWN, email or "?", reason="access.reason.no_role", auth=True)
    role, funder = parse_role(text)
    reason = "access.reason.director" if role == DIRECTOR else ""
    return Access(role, email, funder=funder, reason=reason, auth=True, accounts=accounts)


def roles_from(mapping) -> dict[str, str]:
    """The [roles] table of secrets: e-mail → role, each role checked now (a typo in a role
    would otherwise surface only when that person signs in)."""
    out = {}
    for email, text in dict(mapping or {}).items():
        parse_role(text)
        out[str(email).strip().lower()] = str(text)
    return out


def visible_funders(table, access: "Access"):
    """The income-per-funder table as this visitor may see it: a funder, its own rows."""
    if access.role != FUNDER or table is None:
        return table
    from dataclasses import replace

    return replace(table, rows=[r for r in table.rows if r.get("funder") == access.funder])
