"""Per-run setup shared by every page: data, language, filters, URL, demo banner.

dashboard.py calls `setup()` once per run, before `st.navigation(...).run()`; a page then
calls `page_context()` to get the same PageContext (db, filters, lang, t).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from dataclasses import dataclass, field

import streamlit as st

from impact.access import funderlink, privacy, readonly
from impact.access.policy import PUBLIC, PUBLIC_ROLE, Access
from impact.config import PROJECT_ROOT, resolve_data_dir
from impact.errors import ImpactError
from impact.filters import Filters
from impact.presentation.i18n import DEFAULT_LANG, t
from impact.presentation.safetext import as_markdown
from impact.storage.cache import CachedDatabase
from impact.storage.db import Database
from impact.web import auth, menu, sidebar, urlstate
from impact.web.menu import ENTRY_POINT
from impact.web import prewarm
from impact.web.options import OptionIndex

_CTX = "_impact_ctx"
_SEEDED = "_impact_url_seeded"
_DATA_DIR = "_impact_data_dir"
_NOTICES = "_impact_url_notices"
_WRITTEN = "_impact_url_written"  # the query string this session last wrote


@dataclass
class PageContext:
    """Everything a page needs: the cached database, the selection and the language."""

    db: CachedDatabase
    data_dir: str
    version: str
    filters: Filters
    lang: str
    is_demo: bool = False
    demo_notice: str = ""
    notices: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # choices that do not meet
    access: Access = field(default_factory=lambda: Access("local", "local"))
    share: str | None = None  # the funder link's token, kept in the URL while it is used
    link_refusal: str | None = None  # locale key: why a funder link in the URL was refused

    @property
    def url_params(self) -> dict[str, list[str]]:
        """The URL parameters that reproduce this view (for links and page switches): the
        filters, the language, and the page controls set away from their defaults."""
        f = self.filters
        params = urlstate.to_params(f.orgs, f.year_from, f.year_to, f.projects, f.areas,
                                    self.lang)
        if self.share:
            params[funderlink.PARAM] = [self.share]
        return {**params, **urlstate.page_params(st.session_state, page_defaults(self.lang))}

    @property
    def privacy(self) -> privacy.Policy:
        """Small-cell suppression for this visitor (public and funder views)."""
        return privacy.Policy(self.access.suppress, privacy.threshold_setting(),
                              public=self.access.role == PUBLIC_ROLE)

    def t(self, key: str, **values) -> str:
        """Translate `key` into the page's language."""
        return t(key, self.lang, **values)


@st.cache_resource(show_spinner=False)
def get_db(data_dir: str, read_only: bool = False) -> CachedDatabase:
    """One Database (one DuckDB connection) per data directory for the whole server process;
    every session shares it and its result cache. Stale data is not a concern: results are
    keyed by data version, and `refresh()` on each run picks up an import. `read_only`
    (public mode) opens the data so that any write is refused (impact.access.readonly)."""
    database = Database(data_dir)
    if read_only:
        database.store = readonly.read_only(database.store)
    cached = CachedDatabase(database)
    return cached


def page_defaults(lang: str) -> dict:
    """The page controls' defaults (left out of the URL)."""
    from impact.views.volunteers import DEFAULT_RATES

    return {"volunteer_rates": tuple(int(r) for r in DEFAULT_RATES),
            "growth_metric": "beneficiaries", "report_lang": lang}


def _query_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


def _seed_from_url(options: sidebar.Options, params: dict, lang: str) -> list[str]:
    """First run of a session: put the URL's selection into the widgets' state."""
    sel = urlstate.parse(params, lang, options.orgs(), options.projects, options.areas,
                         options.span)
    default = options.default_years(sel.orgs)
    st.session_state[sidebar.KEY_ORGS] = sel.orgs
    st.session_state[sidebar.KEY_PROJECTS] = sel.projects
    st.session_state[sidebar.KEY_AREAS] = sel.areas
    if default is not None:
        # No years in the URL: the view's default period (options.default_period: the latest
        # year, or a funder link's whole period); one end given alone means "from it to the
        # latest" / "that year".
        if sel.year_from is None and sel.year_to is None:
            year_from, year_to = default
        else:
            year_to = sel.year_to if sel.year_to is not None else default[1]
            year_from = sel.year_from if sel.year_from is not None else year_to
        st.session_state[sidebar.KEY_YEARS] = (min(year_from, year_to), max(year_from, year_to))
    return sel.notices


def _seed_page_controls(params: dict, lang: str) -> list[str]:
    from impact.views.growth import METRICS

    for key in urlstate.PAGE_PARAMS:  # a control the URL leaves out is at its default
        st.session_state.pop(key, None)
    state, notices = urlstate.page_state(params, [m for m, _ in METRICS])
    st.session_state.update(state)
    return [t(key, lang, **values) for key, values in notices]


def finish(ctx: PageContext, page: str = "") -> None:
    """After the page ran: write the view (the page's controls included) to the URL.

    Streamlit gives each new query string its own browser-history entry, and on Back or
    Forward reruns with that entry's query string; `setup` then sees a URL this session did
    not write and takes the view from it (`_navigated`). So one change is one entry, and Back
    undoes it without reloading the page."""
    _write_url(ctx.url_params)


def _write_url(wanted: dict[str, list[str]]) -> None:
    if _query_params() != wanted:
        st.query_params.from_dict(wanted)
    st.session_state[_WRITTEN] = wanted


def _navigated(params: dict[str, list[str]]) -> bool:
    """Whether the browser brought a URL this session did not write (Back, Forward): the
    view is then the URL's, exactly as a fresh visit to that address would show it."""
    written = st.session_state.get(_WRITTEN)
    return written is not None and params != written


def _demo_notice(db: CachedDatabase, lang: str) -> tuple[bool, str]:
    manifest = db.store.manifest() or {}
    meta = manifest.get("meta") or {}
    return meta.get("source") == "demo", t("banner.demo", lang)


def setup(data_dir: str | None = None) -> PageContext:
    """Open the data, seed filters from the URL (first run), draw the sidebar, sync the URL.

    Stops the script with a one-line error if the data cannot be read.
    """
    data_dir = resolve_data_dir(data_dir or st.session_state.get(_DATA_DIR))
    st.session_state[_DATA_DIR] = data_dir
    params = _query_params()
    notices: list[str] = []
    first_run = not st.session_state.get(_SEEDED) or _navigated(params)
    if first_run:
        url_lang, lang_notices = urlstate.parse_lang(params)
        st.session_state[sidebar.KEY_LANG] = url_lang or DEFAULT_LANG
    lang = sidebar.language_switch()
    if first_run:
        notices += [t(key, lang, **values) for key, values in lang_notices]
    try:
        db = get_db(data_dir, auth.settings().mode == PUBLIC)
        version = db.refresh()
        prewarm.ensure(db, version)  # first run at this version: warm the default views
        access, refusal = auth.current_access(db, params)
        if not access.sees_dashboard:
            auth.sign_in_page(access, lang)
            st.stop()
        if refusal and access.refused_link_only:
            auth.refusal_page(refusal, lang)
            st.stop()
        # One query per data version, not four per rerun; narrowed to the visitor's scope.
        options = OptionIndex.for_db(db).scoped(access.scope)
        if first_run:
            notices += _seed_from_url(options, params, lang)
            notices += _seed_page_controls(params, lang)
            st.session_state[_SEEDED] = True
        filters = auth.clamp(sidebar.filter_widgets(options, lang), access.scope)
        warnings = sidebar.coverage_notices(options, filters, lang)
    except ImpactError as exc:
        st.error(as_markdown(t("error.data", lang, detail=str(exc))))
        st.stop()
    is_demo, demo_notice = _demo_notice(db, lang)
    share = st.session_state.get(auth._LINK, (None,))[0] if access.role == "funder" else None
    ctx = PageContext(db=db, data_dir=data_dir, version=version, filters=filters, lang=lang,
                      is_demo=is_demo, demo_notice=demo_notice, notices=notices,
                      access=access, share=share if access.identity.startswith("link:")
                      else None, link_refusal=refusal, warnings=warnings)
    if first_run:
        st.session_state[_NOTICES] = (notices, ctx.url_params)
    ctx.notices = _current_notices(ctx)
    _write_url(ctx.url_params)
    st.session_state[_CTX] = ctx
    return ctx


def _current_notices(ctx: PageContext) -> list[str]:
    """The URL notices stay until the user changes the view the link opened (they would
    otherwise vanish in the redirect from "/" to the first page)."""
    notices, view = st.session_state.get(_NOTICES) or ([], None)
    return notices if view == ctx.url_params else []


_ENTRY = "_impact_entry_run"  # set while dashboard.py runs the page (see entry_run)


@contextlib.contextmanager
def entry_run():
    """Mark the page that dashboard.py's navigation runs as run through the entry point."""
    st.session_state[_ENTRY] = True
    try:
        yield
    finally:
        st.session_state.pop(_ENTRY, None)


def _started_from_entry_point() -> bool:
    """Whether this run was started for dashboard.py (Streamlit installs the script it was
    started with as the `__main__` module), rather than for a page file run on its own."""
    main = sys.modules.get("__main__")
    return Path(getattr(main, "__file__", "") or "").name == ENTRY_POINT


def _route_through_entry() -> None:
    """Have this run start again at dashboard.py, with the same URL.

    On a fresh server, until st.navigation has been called once, Streamlit runs a `pages/`
    file by itself for its URL (the folder's old auto-discovery): that page would have no
    sidebar filters and no banner. Calling st.navigation switches the auto-discovery off (its
    documented effect), and the rerun then goes through dashboard.py. The placeholder pages
    carry the same url paths, so the browser keeps the page it asked for.
    """
    # A default page of its own: the default page is served at "/", and the first page
    # (/overview) must keep its path too.
    st.navigation([st.Page(_nothing, title="Impact Dashboard", url_path="start", default=True),
                   *(st.Page(_nothing, title=url, url_path=url)
                     for url in menu.url_paths(PROJECT_ROOT))], position="hidden")
    st.rerun()


def _nothing() -> None:
    """The placeholder page of _route_through_entry's navigation; never shown."""


def page_context() -> PageContext:
    """The context dashboard.py set up for this run (or a fresh one, if a page runs alone)."""
    if st.session_state.get(_ENTRY):
        ctx = st.session_state.get(_CTX)
        return ctx if ctx is not None else setup()
    if _started_from_entry_point():
        _route_through_entry()
    return setup()  # a page file run deliberately on its own (`streamlit run pages/x.py`)


def current_lang() -> str:
    """The language the user chose (Chinese until told otherwise)."""
    return st.session_state.get(sidebar.KEY_LANG) or DEFAULT_LANG
