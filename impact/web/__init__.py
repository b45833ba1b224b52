"""Streamlit plumbing shared by all pages.

For a page:

    from impact.web import page_context, widgets
    ctx = page_context()            # ctx.db (cached), ctx.filters, ctx.lang, ctx.t(key)
    widgets.heading(1, ctx.t("nav.data"))

- `page_context()`  the PageContext dashboard.py built for this run (db, filters, lang …)
- `t(key, **values)` translate into the current language (impact/locales/<lang>/*.json)
- `get_db(data_dir)` the one cached CachedDatabase per data directory (st.cache_resource)
- `widgets`          renderers: demo_banner, header, kpis, chart, table, download_csv,
                     empty_state, md (escape Markdown in data-derived text)
The demo-data banner and the sidebar are drawn by dashboard.py on every page already.

Streamlit is imported only when one of these is used; the result cache (`impact.storage.cache`)
serves the page models, the CLI and the benchmark without a web server.
"""

from __future__ import annotations

_CONTEXT_NAMES = ("PageContext", "current_lang", "entry_run", "get_db", "page_context",
                  "setup")


def __getattr__(name: str):
    if name in _CONTEXT_NAMES:
        from impact.web import context
        return getattr(context, name)
    raise AttributeError(f"module 'impact.web' has no attribute {name!r}")


def t(key: str, **values) -> str:
    """Translate `key` into the language the user chose."""
    from impact.presentation.i18n import t as translate
    from impact.web.context import current_lang
    return translate(key, current_lang(), **values)


__all__ = [*_CONTEXT_NAMES, "t"]
