"""/accounts: a director lists, invites, disables, enables and resets built-in accounts.

The actions are impact.access.accounts' `admin_*` (the same the `impact user` command calls),
so the page and the command line change the store and write the audit log alike. A new
one-time link is shown once, in a code block (to copy), and kept only in this session.
"""

from __future__ import annotations

from datetime import datetime, timezone

import streamlit as st

from impact.access import accounts
from impact.access.policy import AccessError, ROLES, FUNDER
from impact.web import auth, widgets

_LINK = "_impact_accounts_link"  # (email, url) of the link just made, shown once


def base_url(page: str = "accounts") -> str:
    """This server's address, as the director's browser reaches it (proxy prefix included)."""
    base = (st.context.url or "").split("?", 1)[0].rstrip("/")
    return base.rsplit("/", 1)[0] if base.endswith("/" + page) else base


def rows(store: accounts.Store, t) -> list[dict]:
    """The accounts as the page lists them (no hash, no nonce)."""
    out = []
    for account in store.list():
        changed = datetime.fromtimestamp(account.updated, timezone.utc).strftime("%Y-%m-%d %H:%M")
        out.append({"email": account.email, "role": account.role, "status": account.status,
                    "line": " · ".join([account.role, t(f"accounts.status.{account.status}"),
                                        t("accounts.col.updated") + " " + changed + " UTC"])})
    return out


def draw(ctx) -> None:
    widgets.heading(1, ctx.t("accounts.title"))
    if not ctx.access.manages_accounts:
        st.error(ctx.t("accounts.not_allowed"), icon=":material/block:")
        return
    cfg = auth.settings()
    tokens = accounts.Tokens(cfg.accounts_secret)
    store = auth.account_store(ctx.data_dir)
    widgets.say("markdown", widgets.Markdown(  # the app's own text, with its markup
        ctx.t("accounts.intro", days=accounts.INVITE_S // 86400)))
    shown = st.session_state.pop(_LINK, None)
    if shown:
        widgets.say("success", ctx.t("accounts.link", email=shown[0]), icon=":material/link:")
        st.code(shown[1], language=None)
    table = rows(store, ctx.t)
    if table:
        _manage(ctx, store, tokens, table)
    else:
        st.info(ctx.t("accounts.none"))
    _invite_form(ctx, store, tokens)


def _act(ctx, action, *args, link_for: str | None = None, done: str | None = None) -> None:
    """Run one admin action; a refusal is one line, a link is shown once after the rerun."""
    try:
        result = action(*args)
    except (accounts.AccountError, AccessError) as exc:
        widgets.say("error", ctx.t("accounts.error", detail=str(exc)))
        return
    if link_for:
        st.session_state[_LINK] = (link_for, result)
    if done:
        widgets.say("toast", done)
    st.rerun()


def _invite_form(ctx, store, tokens) -> None:
    widgets.heading(2, ctx.t("accounts.invite.header"))
    with st.form("accounts_invite", clear_on_submit=True):
        email = st.text_input(ctx.t("accounts.invite.email"), key="accounts_email")
        role = st.selectbox(ctx.t("accounts.invite.role"), ROLES, key="accounts_role",
                            format_func=lambda r: ctx.t(f"access.role.{r}"))
        funder = st.text_input(ctx.t("accounts.invite.funder"), key="accounts_funder")
        sent = st.form_submit_button(ctx.t("accounts.invite.button"), type="primary")
    if sent:
        text = f"{FUNDER}:{funder.strip()}" if role == FUNDER else role
        _act(ctx, accounts.admin_invite, store, tokens, email, text, ctx.access.identity,
             ctx.data_dir, base_url(), ctx.lang, link_for=email.strip().lower())


def _manage(ctx, store, tokens, table: list[dict]) -> None:
    """One bordered row per account, its own buttons beside it: every action is one click
    (or Tab and Enter) on the row of the account it changes, no account to choose first."""
    widgets.heading(2, ctx.t("accounts.manage.header"))
    by = ctx.access.identity
    for i, row in enumerate(table):
        email = row["email"]
        with st.container(border=True, key=f"accounts_row_{i}"):
            widgets.say("markdown", widgets.Markdown(
                f"**{widgets.md(email)}**  \n{widgets.md(row['line'])}"))  # data escaped
            buttons = st.container(horizontal=True)
            if buttons.button(ctx.t("accounts.reset.button"), key=f"accounts_reset_{i}"):
                _act(ctx, accounts.admin_reset, store, tokens, email, by, ctx.data_dir,
                     base_url(), ctx.lang, link_for=email)
            if row["status"] == "disabled":
                if buttons.button(ctx.t("accounts.enable.button"), key=f"accounts_enable_{i}"):
                    _act(ctx, accounts.admin_enable, store, email, by, ctx.data_dir,
                         done=ctx.t("accounts.done.enabled", email=email))
            elif buttons.button(ctx.t("accounts.disable.button"), key=f"accounts_disable_{i}"):
                _act(ctx, accounts.admin_disable, store, email, by, ctx.data_dir,
                     done=ctx.t("accounts.done.disabled", email=email))
