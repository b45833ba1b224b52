"""/accounts 账户 — a director invites, disables and resets the built-in accounts
(impact.web.accountadmin; the same actions as `python -m impact user`)."""

from impact.web import accountadmin, page_context


def main() -> None:
    accountadmin.draw(page_context())


main()
