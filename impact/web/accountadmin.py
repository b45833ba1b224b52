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
    """The accounts as the table shows them (no hash, no nonce)."""
    out = []
    for account in store.list():
        changed = datetime.fromtimestamp(account.updated, timezone.utc).strftime("%Y-%m-%d %H:%M")
        out.append({t("accounts.col.email"): account.email,
                    t("accounts.col.role"): account.role,
                    t("accounts.col.status"): t(f"accounts.status.{account.status}"),
                    t("accounts.col.updated"): changed + " UTC"})
    return out


def draw(ctx) -> None:
    st.title(ctx.t("accounts.title"))
    if not ctx.access.manages_accounts:
        st.error(ctx.t("accounts.not_allowed"), icon=":material/block:")
        return
    cfg = auth.settings()
    tokens = accounts.Tokens(cfg.accounts_secret)
    store = auth.account_store(ctx.data_dir)
    st.markdown(ctx.t("accounts.intro", days=accounts.INVITE_S // 86400))
    shown = st.session_state.pop(_LINK, None)
    if shown:
        st.success(ctx.t("accounts.link", email=widgets.md(shown[0])), icon=":material/link:")
        st.code(shown[1], language=None)
    table = rows(store, ctx.t)
    if table:
        st.dataframe(table, hide_index=True, width="stretch")
    else:
        st.info(ctx.t("accounts.none"))
    _invite_form(ctx, store, tokens)
    _manage(ctx, store, tokens, [a.email for a in store.list()])


def _act(ctx, action, *args, link_for: str | None = None, done: str | None = None) -> None:
    """Run one admin action; a refusal is one line, a link is shown once after the rerun."""
    try:
        result = action(*args)
    except (accounts.AccountError, AccessError) as exc:
        st.error(ctx.t("accounts.error", detail=widgets.md(str(exc))))
        return
    if link_for:
        st.session_state[_LINK] = (link_for, result)
    if done:
        st.toast(done)
    st.rerun()


def _invite_form(ctx, store, tokens) -> None:
    st.subheader(ctx.t("accounts.invite.header"))
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


def _manage(ctx, store, tokens, emails: list[str]) -> None:
    if not emails:
        return
    st.subheader(ctx.t("accounts.manage.header"))
    email = st.selectbox(ctx.t("accounts.manage.account"), emails, key="accounts_pick")
    left, middle, right = st.columns(3)
    by = ctx.access.identity
    if left.button(ctx.t("accounts.reset.button"), key="accounts_reset"):
        _act(ctx, accounts.admin_reset, store, tokens, email, by, ctx.data_dir, base_url(),
             ctx.lang, link_for=email)
    if middle.button(ctx.t("accounts.disable.button"), key="accounts_disable"):
        _act(ctx, accounts.admin_disable, store, email, by, ctx.data_dir,
             done=ctx.t("accounts.done.disabled", email=email))
    if right.button(ctx.t("accounts.enable.button"), key="accounts_enable"):
        _act(ctx, accounts.admin_enable, store, email, by, ctx.data_dir,
             done=ctx.t("accounts.done.enabled", email=email))
