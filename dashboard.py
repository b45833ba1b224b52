"""Impact Dashboard — the Streamlit entry point: `streamlit run dashboard.py [-- --data-dir DIR]`.

Draws what every page shares (sidebar filters, language, demo banner, URL sync), then runs the
page the URL names. Pages are listed explicitly: no auto-discovery of pages/.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import streamlit as st

from impact.web import setup, use_explicit_navigation, widgets

HERE = Path(__file__).resolve().parent

# (file, url path, locale key of its title, icon); /data, /report and /share are shown only
# to visitors whose role may use them (impact.access.Access; see `allowed`).
PAGES = (
    ("pages/overview.py", "overview", "nav.overview", ":material/dashboard:"),
    ("pages/beneficiaries.py", "beneficiaries", "nav.beneficiaries", ":material/groups:"),
    ("pages/volunteers.py", "volunteers", "nav.volunteers", ":material/volunteer_activism:"),
    ("pages/finance.py", "finance", "nav.finance", ":material/account_balance:"),
    ("pages/growth.py", "growth", "nav.growth", ":material/trending_up:"),
    ("pages/data.py", "data", "nav.data", ":material/upload_file:"),
    ("pages/report.py", "report", "nav.report", ":material/description:"),
    ("pages/share.py", "share", "nav.share", ":material/share:"),
)
# Which Access property opens a page; pages not listed are open to every signed-in visitor.
REQUIRES = {"data": "sees_data_page", "report": "sees_report", "share": "can_make_links"}


def allowed(url: str, access) -> bool:
    return getattr(access, REQUIRES[url]) if url in REQUIRES else True


def data_dir_arg() -> str | None:
    """`--data-dir DIR` after `--` on the streamlit command line (else env / ./data)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data-dir")
    known, _ = parser.parse_known_args(sys.argv[1:])
    return known.data_dir


use_explicit_navigation()
def landing(first_page: st.Page):
    """The bare address "/" opens the first page under its own path, so every page —
    the first one too — has a URL that can be shared (/overview?org=…)."""
    def go() -> None:
        st.switch_page(first_page, query_params=ctx.url_params)
    return st.Page(go, title=first_page.title, url_path="start", default=True,
                   visibility="hidden")


st.set_page_config(page_title="Impact Dashboard · 影响力看板",
                   page_icon=":material/insights:", layout="wide")
ctx = setup(data_dir_arg())
pages = [st.Page(HERE / path, title=ctx.t(title), icon=icon, url_path=url)
         for path, url, title, icon in PAGES
         if (HERE / path).is_file() and allowed(url, ctx.access)]
navigation = st.navigation([landing(pages[0]), *pages])
widgets.demo_banner(ctx)
widgets.url_notices(ctx)
widgets.access_notice(ctx)
navigation.run()
