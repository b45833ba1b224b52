"""The report page's parts (Streamlit): each file built only when its button is pressed and
kept per selection, language, data version and checked draft; and the summary paragraph with a
button that copies it."""

from __future__ import annotations

import logging
from html import escape

import streamlit as st

from impact.errors import ImpactError
from impact.report import MEDIA_TYPES, build, file_name

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
