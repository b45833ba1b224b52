"""`python -m impact user`: the built-in accounts from the command line, as /accounts does.

    impact user add EMAIL --role ROLE --base-url URL   prints the one-time invitation link
    impact user list                                   every account, its role and status
    impact user disable EMAIL                          signs it out and refuses it
    impact user enable EMAIL
    impact user reset EMAIL --base-url URL             prints a new one-time link
    impact user role EMAIL ROLE

The links are signed with the server's `[accounts] cookie_secret`, read from the same
secrets files and environment as the server (impact.access.secretsfile), so it accepts them.
Every change is written to the audit log under the operating-system user.
"""

from __future__ import annotations

import argparse
import json
import os

from impact.access import accounts, audit, secretsfile
from impact.cli import add_data_dir
from impact.commands.link import _base_url
from impact.errors import UsageError

NAME = "user"
HELP = "built-in accounts: invite (add), list, disable, enable, reset, change a role"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
    add = sub.add_parser("add", help="invite a person: prints a one-time link")
    add.add_argument("email")
    add.add_argument("--role", required=True,
                     help="staff, director, viewer or funder:<name> (e.g. funder:乐购)")
    reset = sub.add_parser("reset", help="a new one-time link (the old one and every "
                                         "session of the account end)")
    reset.add_argument("email")
    for command in (add, reset):
        command.add_argument("--base-url", required=True, metavar="URL",
                             help="the server's public address, e.g. https://impact.example.org")
        command.add_argument("--lang", choices=("zh", "en"), default="zh")
    listing = sub.add_parser("list", help="every account, its role and status")
    listing.add_argument("--json", action="store_true", help="as JSON")
    for name, text in (("disable", "refuse the account and end its sessions"),
                       ("enable", "let a disabled account in again")):
        sub.add_parser(name, help=text).add_argument("email")
    role = sub.add_parser("role", help="change an account's role")
    role.add_argument("email")
    role.add_argument("role")
    for command in sub.choices.values():
        add_data_dir(command)


def _tokens() -> accounts.Tokens:
    block = dict(secretsfile.read_secrets().get("accounts") or {})
    secret = block.get("cookie_secret") or os.environ.get(accounts.SECRET_ENV)
    if not secret:
        where = " or ".join(str(p) for p in secretsfile.secrets_files())
        raise UsageError(f"no [accounts] cookie_secret in {where} nor "
                         f"${accounts.SECRET_ENV}: the server could not check the link")
    return accounts.Tokens(secret)


def run(args: argparse.Namespace) -> int:
    store = accounts.Store(args.data_dir)
    by, data_dir = audit.os_identity(), args.data_dir
    if args.action == "list":
        rows = [a.public() for a in store.list()]
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            for row in rows:
                print(f"{row['email']}\t{row['role']}\t{row['status']}")
        return 0
    if args.action in ("add", "reset"):
        base = _base_url(args.base_url)
        tokens = _tokens()
        if args.action == "add":
            url = accounts.admin_invite(store, tokens, args.email, args.role, by, data_dir,
                                        base, args.lang)
        else:
            url = accounts.admin_reset(store, tokens, args.email, by, data_dir, base,
                                       args.lang)
        print(url)
        return 0
    if args.action == "disable":
        accounts.admin_disable(store, args.email, by, data_dir)
    elif args.action == "enable":
        accounts.admin_enable(store, args.email, by, data_dir)
    elif args.action == "role":
        accounts.admin_role(store, args.email, args.role, by, data_dir)
    return 0
