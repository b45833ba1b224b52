"""/report 年报 — the annual report pack for the sidebar's selection: a preview of the drafted
summary to copy, and the report as PDF, HTML or Excel to download."""

import logging
from html import escape

import streamlit as st

from impact.errors import ImpactError
from impact.i18n import LANGS, t
from impact.report import MEDIA_TYPES, build, file_name, gather, narrative
from impact.report import stamp
from impact.report.about import period_state, scope
from impact.report.claims import check
from impact.report.tables import display_rows, published_table
from impact.views.common import selection_line
from impact.web import page_context, widgets

# Format → its name on the buttons. Every file is built only when asked: building on every
# load made one bad name in the data break the page for every visitor.
FORMATS = {"pdf": "PDF", "html": "HTML", "xlsx": "Excel"}
ON_DEMAND = tuple(FORMATS)
LANG_NAMES = {"zh": "中文", "en": "English"}


def built_key(ctx, lang: str, fmt: str) -> str:
    """Session key of a built file: a new selection, language, data version or checked text
    needs a new one."""
    draft = st.session_state.get("report_draft") or ""
    return f"_report_{fmt}_{hash((ctx.version, ctx.filters, lang, draft))}"


def download(ctx, content, fmt: str, data: bytes) -> None:
    st.download_button(ctx.t("report.page.download", fmt=FORMATS[fmt]), data,
                       file_name=file_name(content, fmt), mime=MEDIA_TYPES[fmt],
                       icon=":material/download:", use_container_width=True,
                       key=f"download_{fmt}")


def request(key: str) -> None:
    """Button callback: remember the request in the session, so a rerun cannot lose it."""
    st.session_state[key + "_wanted"] = True


def on_demand(ctx, content, fmt: str, lang: str, slot, status_area) -> None:
    """A build button in `slot`, then (once built, for this selection) the download button in
    the same slot; the progress box goes to `status_area`, below the row of buttons, so the
    buttons stay aligned however the builds go."""
    key = built_key(ctx, lang, fmt)
    if key not in st.session_state and not st.session_state.get(key + "_wanted"):
        slot.button(ctx.t("report.page.build", fmt=FORMATS[fmt]), key=f"build_{fmt}",
                    icon=":material/description:", use_container_width=True,
                    on_click=request, args=(key,))
        return
    if key not in st.session_state:
        with status_area.status(ctx.t("report.page.building", fmt=FORMATS[fmt])) as status:
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
            status.update(label=ctx.t("report.page.built", fmt=FORMATS[fmt],
                                      seconds=f"{built.timings['total']:.1f}"),
                          state="complete")
    with slot.container():
        download(ctx, content, fmt, st.session_state[key])


def narrative_box(text: str, lang: str, copy_label: str, copied_label: str) -> None:
    """The summary as plain text (not a code block) with a button that copies it.

    The text is HTML-escaped; the script reads it back from the page (textContent), so no
    data is ever written into JavaScript."""
    st.html(f"""
<div class="impact-narrative">
  <p id="impact-narrative-text" lang="{'zh-CN' if lang == 'zh' else 'en'}"
     style="font-size:1.05rem;line-height:1.8;margin:0 0 .6rem 0;white-space:pre-wrap;">{escape(text)}</p>
  <button type="button" id="impact-copy" data-done="{escape(copied_label)}"
          style="border:1px solid #1b7f79;color:#0f5c57;background:#fff;border-radius:.5rem;
                 padding:.3rem .9rem;font:inherit;cursor:pointer;">{escape(copy_label)}</button>
</div>
<script>
(function () {{
  const button = document.getElementById("impact-copy");
  if (!button || button.dataset.bound) return;
  button.dataset.bound = "1";
  button.addEventListener("click", async function () {{
    const text = document.getElementById("impact-narrative-text").textContent;
    try {{ await navigator.clipboard.writeText(text); }}
    catch (e) {{
      const range = document.createRange();
      range.selectNodeContents(document.getElementById("impact-narrative-text"));
      const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
      document.execCommand("copy");
    }}
    button.textContent = button.dataset.done;
  }});
}})();
</script>""", unsafe_allow_javascript=True)


def main() -> None:
    ctx = page_context()
    if not ctx.access.sees_report:  # public and funder views: the pack is not suppressed
        st.error(ctx.t("access.reason.not_allowed"), icon=":material/block:")
        return
    st.title(ctx.t("report.page.title"))
    widgets.selection(selection_line(ctx.filters, ctx.lang))
    st.markdown(ctx.t("report.page.intro"))
    st.session_state.setdefault("report_lang", ctx.lang)  # URL: ?rlang=
    lang = st.segmented_control(ctx.t("report.page.lang"), LANGS, required=True,
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
        st.header(t("report.section.published", lang))
        st.dataframe(display_rows(published_table(content), lang), hide_index=True)
    if not content.has_data:
        widgets.empty_state(ctx.t("report.no_data", period=selection[1][1]))

    st.header(ctx.t("report.page.preview"))
    narrative_box(narrative(content), lang, ctx.t("report.page.copy"), ctx.t("report.page.copied"))
    st.caption(ctx.t("report.page.copy_hint"))

    st.header(ctx.t("report.page.check_title"))
    draft = st.text_area(ctx.t("report.page.check_label"), key="report_draft",
                         placeholder=ctx.t("report.page.check_placeholder"), height=110)
    if draft.strip():
        findings = check(draft, content)
        if findings:
            for finding in findings:
                st.warning(f"“{widgets.md(finding.claim)}”: {widgets.md(finding.message)}",
                           icon=":material/fact_check:")
        else:
            st.success(ctx.t("report.claims.none"), icon=":material/fact_check:")
        content = gather(ctx.db, ctx.filters, lang, draft=draft)

    st.header(ctx.t("report.page.files"))
    slots = [column.empty() for column in st.columns(len(FORMATS))]
    status_area = st.container()
    for slot, fmt in zip(slots, FORMATS):
        if fmt in ON_DEMAND:
            on_demand(ctx, content, fmt, lang, slot, status_area)
        else:
            with slot.container():
                download(ctx, content, fmt, build(content, fmt).data)


main()
