"""/report 年报 — the annual report pack for the sidebar's selection: a preview of the drafted
summary to copy, and the report as PDF, HTML or Excel to download (built on demand by
impact.web.report_files)."""

import streamlit as st

from impact.errors import ImpactError
from impact.presentation.i18n import LANGS, t
from impact.report import build, gather, narrative
from impact.report import stamp
from impact.report.about import period_state, scope
from impact.report.claims import check
from impact.report.tables import published_table
from impact.views.common import selection_line
from impact.web import page_context, widgets
from impact.web.report_files import (FORMATS, LANG_NAMES, ON_DEMAND, download, narrative_box,
                                     on_demand)


def main() -> None:
    ctx = page_context()
    if not ctx.access.sees_report:  # public and funder views: the pack is not suppressed
        st.error(ctx.t("access.reason.not_allowed"), icon=":material/block:")
        return
    widgets.heading(1, ctx.t("report.page.title"))
    widgets.selection(selection_line(ctx.filters, ctx.lang))
    st.markdown(ctx.t("report.page.intro"))
    st.session_state.setdefault("report_lang", ctx.lang)  # URL: ?rlang=
    lang = st.segmented_control(ctx.t("report.page.lang"), LANGS, required=True,
                                format_func=LANG_NAMES.get, key="report_lang") or ctx.lang
    try:
        content = gather(ctx.db, ctx.filters, lang)
    except ImpactError as exc:
        widgets.say("error", ctx.t("report.page.failed", error=str(exc)))
        return
    colon = "：" if lang == "zh" else ": "
    selection = scope(content)[:3]  # organisations, period, comparison period
    widgets.say("caption", " · ".join(f"{name}{colon}{value}" for name, value in selection))
    if content.stamp:  # 已关账 / 未关账, and the data version the report will carry
        widgets.say("caption", f"{period_state(content.stamp, lang)} · "
                               f"{stamp.version_text(content.stamp)}")
    if content.published:
        widgets.heading(2, t("report.section.published", lang))
        widgets.report_table(published_table(content), lang)
    if not content.has_data:
        widgets.empty_state(ctx.t("report.no_data", period=selection[1][1]))

    widgets.heading(2, ctx.t("report.page.preview"))
    narrative_box(narrative(content), lang, ctx.t("report.page.copy"), ctx.t("report.page.copied"))
    st.caption(ctx.t("report.page.copy_hint"))

    widgets.heading(2, ctx.t("report.page.check_title"))
    draft = st.text_area(ctx.t("report.page.check_label"), key="report_draft",
                         placeholder=ctx.t("report.page.check_placeholder"), height=110)
    if draft.strip():
        findings = check(draft, content)
        if findings:
            for finding in findings:
                widgets.say("warning", f"“{finding.claim}”: {finding.message}",
                            icon=":material/fact_check:")
        else:
            st.success(ctx.t("report.claims.none"), icon=":material/fact_check:")
        content = gather(ctx.db, ctx.filters, lang, draft=draft)

    widgets.heading(2, ctx.t("report.page.files"))
    slots = [column.empty() for column in st.columns(len(FORMATS))]
    status_area = st.container()
    for slot, fmt in zip(slots, FORMATS):
        if fmt in ON_DEMAND:
            on_demand(ctx, content, fmt, lang, slot, status_area)
        else:
            with slot.container():
                download(ctx, content, fmt, build(content, fmt).data)


main()
