"""Read-only links for one funder and period, signed with a server secret and expiring.

A link carries `share=<payload>.<signature>`: the payload (funder, organisation, projects,
first and last year, expiry) as base64url JSON, the signature an HMAC-SHA256 of the payload
with the server's `link_secret`. Changing any byte of it — organisation, project, period,
expiry — breaks the signature, and the link is refused; so is one past its expiry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from impact.access.policy import PLACEHOLDER, Scope

PARAM = "share"
MAX_TOKEN = 4096  # longer than any real link; a longer value is refused unread
MIN_SECRET = 32
MAX_DAYS = 365  # the longest a link may live (/share and `impact link`)
LANDING = "grants"  # the page a link opens: the funder view (资助成效)


class LinkError(Exception):
    """Why a link is refused, as a locale key (`link.invalid`, `link.expired` …)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class FunderLink:
    funder: str
    org: str
    projects: tuple[str, ...]
    year_from: int
    year_to: int
    expires: int  # Unix time

    def scope(self) -> Scope:
        return Scope(orgs=(self.org,), projects=self.projects, year_from=self.year_from,
                     year_to=self.year_to)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), payload.encode("ascii"),
                         hashlib.sha256).digest())


def check_secret(secret: str | None) -> str:
    # The template's placeholder is longer than MIN_SECRET and public: never sign with it.
    if not secret or len(secret) < MIN_SECRET or PLACEHOLDER in secret:
        raise LinkError("link.no_secret")
    return secret


def funder_orgs(db, orgs=()) -> dict[str, list[dict]]:
    """Funder → the organisations it funds, each with its first and last year, from the income
    transactions (what /share offers and `impact link` accepts)."""
    out: dict[str, list[dict]] = {}
    for row in db.rows("funder_names", orgs=list(orgs)):
        out.setdefault(row["funder"], []).append(row)
    return out


def projects_of(db, funder: str, org: str) -> tuple[str, ...]:
    """The projects of `org` that the funder's income transactions name: a link's scope."""
    return tuple(r["project"] for r in db.rows("funder_projects", funder=funder)
                 if r["org"] == org)


def link_url(base: str, token: str, lang: str) -> str:
    """The link's full address: the server's base address, the funder view, the token."""
    return f"{base.rstrip('/')}/{LANDING}?{urlencode({PARAM: token, 'lang': lang})}"


def make_token(link: FunderLink, secret: str) -> str:
    body = {"f": link.funder, "o": link.org, "p": list(link.projects), "a": link.year_from,
            "b": link.year_to, "e": link.expires}
    payload = _b64(json.dumps(body, ensure_ascii=False, separators=(",", ":"),
                              sort_keys=True).encode("utf-8"))
    return f"{payload}.{_signature(check_secret(secret), payload)}"


def read_token(token: str, secret: str | None, now: float | None = None) -> FunderLink:
    """The link a token stands for; LinkError when it is malformed, tampered with or expired."""
    secret = check_secret(secret)
    if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 1:
        raise LinkError("link.invalid")
    payload, signature = token.split(".")
    try:
        payload.encode("ascii")
        signature.encode("ascii")
    except UnicodeEncodeError:
        raise LinkError("link.invalid") from None
    if not hmac.compare_digest(_signature(secret, payload), signature):
        raise LinkError("link.invalid")
    try:
        body = json.loads(_unb64(payload))
        link = FunderLink(str(body["f"]), str(body["o"]), tuple(str(p) for p in body["p"]),
                          int(body["a"]), int(body["b"]), int(body["e"]))
    except (ValueError, KeyError, TypeError):
        raise LinkError("link.invalid") from None
    if (now if now is not None else time.time()) >= link.expires:
        raise LinkError("link.expired")
    return link
