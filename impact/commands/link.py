"""`python -m impact link`: print a funder link, signed as /share signs it.

The link opens the funder view (资助成效) of one funder's projects in one organisation, for
the given years, read-only, until it expires. It is signed with the server's `link_secret`,
read from the same secrets files and environment as the server (impact.access.secretsfile),
so the server accepts it; without a usable key the command refuses and says where to set one.
"""

from __future__ import annotations

import argparse
import time
from urllib.parse import urlsplit

from impact.access import audit, funderlink, secretsfile
from impact.cli import add_data_dir
from impact.domain.selection import SelectionError, close_matches
from impact.errors import UsageError
from impact.storage.db import Database

NAME = "link"
HELP = "print a signed, expiring read-only link to one funder's view (as /share makes)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--funder", required=True, metavar="NAME",
                        help="the funder, as the finance records name it (e.g. 乐购)")
    parser.add_argument("--org", metavar="ORG",
                        help="the organisation (needed only when the funder funds several)")
    parser.add_argument("--from", dest="year_from", type=int, required=True, metavar="Y1",
                        help="first year the link shows")
    parser.add_argument("--to", dest="year_to", type=int, required=True, metavar="Y2",
                        help="last year the link shows")
    parser.add_argument("--days", type=int, default=30, metavar="N",
                        help=f"days the link lives (1–{funderlink.MAX_DAYS}; default 30)")
    parser.add_argument("--base-url", required=True, metavar="URL",
                        help="the server's public address, e.g. https://impact.example.org")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh",
                        help="the language the link opens in (default zh)")
    add_data_dir(parser)


def _secret() -> str:
    secret = secretsfile.link_secret(secretsfile.read_secrets())
    try:
        return funderlink.check_secret(secret)
    except funderlink.LinkError:
        where = " or ".join(str(p) for p in secretsfile.secrets_files())
        raise UsageError(
            f"no usable link secret: set link_secret (at least {funderlink.MIN_SECRET} "
            f"characters, not the template's placeholder) in {where}, or "
            f"${secretsfile.LINK_SECRET_ENV}; make one with: python -c 'import secrets; "
            f"print(secrets.token_urlsafe(48))'") from None


def _base_url(text: str) -> str:
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query \
            or parts.fragment:
        raise UsageError(f"--base-url {text[:100]!r}: expected the server's address, "
                         f"http(s)://host[:port][/path], without ? or #")
    return text.strip()


def _org_row(funders: dict, funder: str, org: str | None) -> dict:
    if funder not in funders:
        near = close_matches(funder, list(funders))
        hint = f"did you mean {' or '.join(near)}?" if near else \
            "known funders: " + ", ".join(list(funders)[:12]) + (" …" if len(funders) > 12 else "")
        raise SelectionError(f"no funder named {funder!r} (--funder) in the income records; "
                             + hint)
    rows = funders[funder]
    if org is None:
        if len(rows) > 1:
            raise UsageError(f"{funder} funds {len(rows)} organisations: choose one with "
                             "--org (" + ", ".join(r["org"] for r in rows) + ")")
        return rows[0]
    for row in rows:
        if row["org"] == org:
            return row
    raise SelectionError(f"{funder} funds no organisation named {org!r} (--org); it funds "
                         + ", ".join(r["org"] for r in rows))


def run(args: argparse.Namespace) -> int:
    base = _base_url(args.base_url)
    if not 1 <= args.days <= funderlink.MAX_DAYS:
        raise UsageError(f"--days {args.days}: between 1 and {funderlink.MAX_DAYS}")
    if args.year_from > args.year_to:
        raise UsageError(f"--from {args.year_from} is after --to {args.year_to}")
    secret = _secret()
    db = Database(args.data_dir)
    row = _org_row(funderlink.funder_orgs(db), args.funder, args.org)
    first, last = row["first_year"], row["last_year"]
    if args.year_from < first or args.year_to > last:
        raise UsageError(f"--from {args.year_from} --to {args.year_to}: {args.funder}'s "
                         f"income records at {row['org']} run from {first} to {last}")
    projects = funderlink.projects_of(db, args.funder, row["org"])
    if not projects:
        raise SelectionError(f"{args.funder}'s income records at {row['org']} name no "
                             "project: a link would show nothing")
    link = funderlink.FunderLink(args.funder, row["org"], projects, args.year_from,
                                 args.year_to, int(time.time()) + args.days * 86400)
    token = funderlink.make_token(link, secret)
    audit.record("link_made", audit.os_identity(), db.data_dir,
                 funder=link.funder, org=link.org, year_from=link.year_from,
                 year_to=link.year_to, expires=link.expires)
    print(funderlink.link_url(base, token, args.lang))
    return 0
