"""`python -m impact hash-password`: the salted hash to put in secrets as staff_password_hash.

The password is read without echo (or from stdin when piped), never from the command line,
where it would stay in the shell history and the process list.
"""

from __future__ import annotations

import getpass
import sys

from impact.errors import UsageError
from impact.access.passwords import hash_password

NAME = "hash-password"
HELP = "print the salted hash of a staff password, for staff_password_hash in secrets"
MIN_LENGTH = 10


def add_arguments(parser) -> None:
    parser.set_defaults()


def run(args) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass("Staff password: ")
        if getpass.getpass("Again: ") != password:
            raise UsageError("the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_LENGTH:
        raise UsageError(f"a staff password needs at least {MIN_LENGTH} characters")
    print(hash_password(password))
    return 0
