"""/report 年报 — the annual report pack for the sidebar's selection: a preview of the drafted
summary to copy, and the report as PDF, HTML or Excel to download."""

import logging

import streamlit as st

from impact.errors import ImpactError
from impact.i18n import LANGS
from impact.report import MEDIA_TYPES, build, file_name, gather, narrative
from impact.i18n import t
from impact.report import stamp
from impact.report.about import period_state, scope
from impact.report.tables import display_rows, published_table
from impact.web import page_context, widgets

# Format → its name on the buttons. Every file is built only when asked: building on every
# load made one bad name in the data break the page for every visitor.
FORMATS = {"pdf": "PDF", "html": "HTML", "xlsx": "Excel"}
LANG_NAMES = {"zh": "中文", "en": "English"}


def built_key(ctx, lang: str, fmt: str) -> str:
    """Session key of a built file: a new selection, language or data version needs a new one."""
    return f"_report_{fmt}_{hash((ctx.version, ctx.filters, lang))}"


def download(ctx, content, fmt: str, data: bytes) -> None:
    st.download_button(ctx.t("report.page.download", fmt=FORMATS[fmt]), data,
                       file_name=file_name(content, fmt), mime=MEDIA_TYPES[fmt],
                       icon=":material/download:", use_container_width=True,
                       key=f"download_{fmt}")


def request(key: str) -> None:
    """Button callback: remember the request in the session, so a rerun cannot lose it."""
    st.session_state[key + "_wanted"] = True


def on_demand(ctx, content, fmt: str, lang: str) -> None:
    """A build button, then (once built, for this selection) the download button."""
    key = built_key(ctx, lang, fmt)
    slot = st.empty()  # the build button, cleared once the file is built
    if key not in st.session_state:
        slot.button(ctx.t("report.page.build", fmt=FORMATS[fmt]), key=f"build_{fmt}",
                    icon=":material/description:", use_container_width=True,
                    on_click=request, args=(key,))
    if st.session_state.get(key + "_wanted") and key not in st.session_state:
        with st.status(ctx.t("report.page.building", fmt=FORMATS[fmt])) as status:
            try:
                built = build(content, fmt)
            except ImpactError as exc:
                del st.session_state[key + "_wanted"]
                status.update(label=ctx.t("report.page.failed", error=str(exc)), state="error")
                return
            except Exception:  # noqa: BLE001 — logged for the admin; the visitor gets one line
                logging.getLogger(__name__).exception("report %s build failed", fmt)
                del st.session_state[key + "_wanted"]
                status.update(label=ctx.t("report.page.failed",
                                          error=ctx.t("report.page.internal_error")),
                              state="error")
                return
            st.session_state[key] = built.data
            del st.session_state[key + "_wanted"]
            slot.empty()
            status.update(label=ctx.t("report.page.built", fmt=FORMATS[fmt],
                                      seconds=f"{built.timings['total']:.1f}"),
                          state="complete")
    if key in st.session_state:
        download(ctx, content, fmt, st.session_state[key])


def main() -> None:
    ctx = page_context()
    if not ctx.access.sees_report:  # public and funder views: the pack is not suppressed
        st.error(ctx.t("access.reason.not_allowed"), icon=":material/block:")
        return
    st.title(ctx.t("report.page.title"))
    st.markdown(ctx.t("report.page.intro"))
    lang = st.segmented_control(ctx.t("report.page.lang"), LANGS, default=ctx.lang,
                                format_func=LANG_NAMES.get, key="report_lang") or ctx.lang
    try:
        content = gather(ctx.db, ctx.filters, lang)
    except ImpactError as exc:
        st.error(ctx.t("report.page.failed", error=str(exc)))
        return
    colon = "：" if lang == "zh" else ": "
    selection = scope(content)[:3]  # organisations, period, comparison period
    st.caption(" · ".join(f"{name}{colon}{widgets.md(value)}" for name, value in selection))
    if content.stamp:  # 已关账 / 未关账, and the data version the report will carry
        st.caption(f"{widgets.md(period_state(content.stamp, lang))} · "
                   f"{widgets.md(stamp.version_text(content.stamp))}")
    if content.published:
        st.subheader(t("report.section.published", lang))
        st.dataframe(display_rows(published_table(content), lang), hide_index=True)
    if not content.has_data:
        widgets.empty_state(ctx.t("report.no_data", period=selection[1][1]))

    st.subheader(ctx.t("report.page.preview"))
    st.code(narrative(content), language=None, wrap_lines=True)
    st.caption(ctx.t("report.page.copy_hint"))

    for column, fmt in zip(st.columns(len(FORMATS)), FORMATS):
        with column:
            on_demand(ctx, content, fmt, lang)


main()
