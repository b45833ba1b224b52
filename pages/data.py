"""/data 数据导入 — staff import CSV/Excel files, check data quality and the manifest.

Layout only: the gate and the import flow are impact.web.data_import, the other tabs
impact.web.data_admin.
"""

import streamlit as st

from impact.web import page_context, widgets
from impact.web.data_admin import (history_section, integrity_section, quality_section,
                                   templates_section)
from impact.web.data_import import access_gate, import_section


def main() -> None:
    ctx = page_context()
    widgets.heading(1, ctx.t("data.title"))
    st.markdown(ctx.t("data.intro"))
    if not access_gate(ctx):
        return
    tabs = st.tabs([ctx.t("data.tab.import"), ctx.t("data.tab.quality"),
                    ctx.t("data.tab.integrity"), ctx.t("data.tab.templates"),
                    ctx.t("data.tab.history")])
    with tabs[0]:
        import_section(ctx)
    with tabs[1]:
        quality_section(ctx)
    with tabs[2]:
        integrity_section(ctx)
    with tabs[3]:
        templates_section(ctx)
    with tabs[4]:
        history_section(ctx)


main()
