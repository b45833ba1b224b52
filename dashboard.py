"""Impact Dashboard — the Streamlit entry point: `streamlit run dashboard.py [-- --data-dir DIR]`.

Draws what every page shares (sidebar filters, language, demo banner, URL sync), then runs the
page the URL names. Pages are listed explicitly: no auto-discovery of pages/. Streamlit's own
sidebar menu is switched off (.streamlit/config.toml `client.showSidebarNavigation`), so that
a fresh server's first visit never shows the raw file list; the menu is drawn here instead,
as links that carry the view's filters.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import streamlit as st

from impact.web import browser, entry_run, setup, widgets
from impact.web.context import finish
from impact.web.landing import landing_page
from impact.web.menu import PAGES

HERE = Path(__file__).resolve().parent

# Which Access property opens a page (impact.access.policy.Access); the others are open to every
# visitor who may see the dashboard at all.
REQUIRES = {"data": "sees_data_page", "report": "sees_report", "share": "can_make_links",
            "grants": "sees_funders", "accounts": "manages_accounts"}


def allowed(url: str, access) -> bool:
    return getattr(access, REQUIRES[url]) if url in REQUIRES else True


def data_dir_arg() -> str | None:
    """`--data-dir DIR` after `--` on the streamlit command line (else env / ./data)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data-dir")
    known, _ = parser.parse_known_args(sys.argv[1:])
    return known.data_dir


def main() -> None:
    """One script run: what every page shares, then the page the URL names."""
    # The favicon is a local file (a :material/…: icon would be fetched from fonts.gstatic.com).
    st.set_page_config(page_title="Impact Dashboard · 影响力看板",
                       page_icon=str(HERE / "impact/web/static/favicon.png"), layout="wide")
    menu = st.sidebar.container()  # above the filters that setup() draws
    ctx = setup(data_dir_arg())
    shown = [(HERE / path, url, title, icon) for path, url, title, icon in PAGES
             if (HERE / path).is_file() and allowed(url, ctx.access)]
    pages = [st.Page(file, title=ctx.t(title), icon=icon, url_path=url)
             for file, url, title, icon in shown]
    navigation = st.navigation([landing_page(pages[0], shown[0][0], ctx), *pages],
                               position="hidden")
    with menu:
        for page in pages:
            st.page_link(page, query_params=ctx.url_params)
        widgets.sign_out_link(ctx.access, ctx.lang)
    # Each page and language its own <title> and <html lang> (Streamlit writes one title, "en").
    st.set_page_config(page_title=f"{navigation.title} · {ctx.t('app.title')}")
    browser.style()
    browser.page_head(ctx.lang)
    widgets.demo_banner(ctx)
    widgets.url_notices(ctx)
    widgets.access_notice(ctx)
    with entry_run():
        navigation.run()
    finish(ctx, navigation.url_path)


if __name__ == "__main__":  # a script run
    main()
else:
    # Imported by `streamlit run dashboard.py` (which finds this st.App and serves it) or by
    # an ASGI server (`uvicorn dashboard:app`): the server, whose pages know its address and
    # whose JavaScript bundles go out compressed (impact/web/asgi.py).
    # pandas whole before the first session: Streamlit and Plotly import it lazily, and
    # Plotly's check of a value (`optional_imports.get_module`) takes whatever sys.modules
    # holds, so a figure built in one session (or the pre-warm thread) while another
    # session's first table is still importing pandas failed with "partially initialized
    # module 'pandas' has no attribute 'Series'" (two first visits at once, issue 29).
    import pandas  # noqa: F401

    from starlette.middleware import Middleware

    from impact.config import resolve_data_dir
    from impact.web.accountroutes import AccountRoutes
    from impact.web.asgi import BackendBaseUrl, CompressedStatic
    from impact.web.auth import accounts_secret, log_start

    log_start()  # which access mode this server runs in, and why

    # Built-in accounts sign in and out through these routes: a script cannot set a cookie.
    routes = AccountRoutes(accounts_secret, lambda: resolve_data_dir(data_dir_arg())).routes()
    app = st.App(HERE / "dashboard.py", routes=routes,
                 middleware=[Middleware(BackendBaseUrl), Middleware(CompressedStatic)])
