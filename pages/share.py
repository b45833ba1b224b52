"""/share 分享 — a director makes a read-only link for one funder and period.

The link opens the dashboard limited to the projects that funder funds in one organisation,
for the chosen years, with small person counts suppressed; it is signed with the server's
link secret and expires (impact.access.funderlink).
"""

import time

import streamlit as st

from impact.access import audit, funderlink
from impact.web import auth, page_context, widgets



def link_url(ctx, token: str) -> str:
    """The full address of the link: this server's address, the funder view (资助成效),
    the token."""
    base = (st.context.url or "").split("?", 1)[0].rstrip("/")
    base = base.rsplit("/", 1)[0] if base.endswith("/share") else base
    return funderlink.link_url(base, token, ctx.lang)


def main() -> None:
    ctx = page_context()
    widgets.heading(1, ctx.t("share.title"))
    if not ctx.access.can_make_links:
        st.error(ctx.t("access.reason.not_allowed"), icon=":material/block:")
        return
    st.markdown(ctx.t("share.intro"))
    secret = auth.settings().link_secret
    try:
        funderlink.check_secret(secret)
    except funderlink.LinkError as exc:
        st.warning(ctx.t(exc.key), icon=":material/key_off:")
        return
    funders = funderlink.funder_orgs(ctx.db, ctx.filters.orgs)
    if not funders:
        st.info(ctx.t("share.no_funders"), icon=":material/info:")
        return
    funder = st.selectbox(ctx.t("share.funder"), list(funders), key="share_funder",
                          format_func=widgets.display_text)
    rows = funders[funder]
    org_row = st.selectbox(ctx.t("share.org"), rows, key="share_org",
                           format_func=lambda r: widgets.display_text(r["org"]))
    first, last = org_row["first_year"], org_row["last_year"]
    if first < last:
        year_from, year_to = st.slider(ctx.t("share.years"), min_value=first, max_value=last,
                                       value=(last, last), key="share_years")
    else:
        year_from = year_to = first
    days = st.number_input(ctx.t("share.days"), min_value=1, max_value=funderlink.MAX_DAYS,
                           value=30, key="share_days")
    projects = funderlink.projects_of(ctx.db, funder, org_row["org"])
    if not projects:
        widgets.say("warning", ctx.t("share.no_projects", funder=funder))
        return
    widgets.say("caption", ctx.t("share.projects", projects=ctx.t("filters.list_sep").join(projects)))
    if st.button(ctx.t("share.make"), type="primary", key="share_make", icon=":material/link:"):
        link = funderlink.FunderLink(funder, org_row["org"], projects, int(year_from),
                                     int(year_to), int(time.time()) + int(days) * 86400)
        token = funderlink.make_token(link, secret)
        audit.record("link_made", ctx.access.identity, ctx.data_dir, funder=funder,
                     org=link.org, year_from=link.year_from, year_to=link.year_to,
                     expires=link.expires)
        st.session_state["share_link"] = link_url(ctx, token)
    if st.session_state.get("share_link"):
        st.code(st.session_state["share_link"], language=None, wrap_lines=True)
        widgets.say("caption", ctx.t("share.hint", days=days))


main()
