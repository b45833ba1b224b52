"""The sidebar: language, organisation, year range, project and programme-area filters.

Widget values live in st.session_state under the keys below, so they survive page switches
(the sidebar is drawn by dashboard.py on every run, whatever the page). They are seeded from
the URL on a session's first run (impact.web.context) and written back to it on every run.
"""

from __future__ import annotations

import streamlit as st

from impact.filters import Filters
from impact.i18n import LANGS, t
from impact.safetext import display_text

KEY_LANG, KEY_ORGS, KEY_YEARS = "flt_lang", "flt_orgs", "flt_years"
KEY_PROJECTS, KEY_AREAS = "flt_projects", "flt_areas"
LANG_NAMES = {"zh": "中文", "en": "English"}  # each language by its own name


class Options:
    """What the filters can offer, from the data (cached queries, so cheap on every run),
    narrowed to a restricted visitor's scope (a funder's projects and period)."""

    def __init__(self, db, scope=None):
        self.db = db
        self.scope = scope

    def orgs(self) -> list[str]:
        orgs = [r["org"] for r in self.db.rows("filter_orgs")]
        return [o for o in orgs if o in self.scope.orgs] if self.scope else orgs

    def projects(self, orgs) -> list[str]:
        orgs = list(orgs) or (list(self.scope.orgs) if self.scope else [])
        rows = self.db.rows("filter_projects", orgs=orgs)
        names = list(dict.fromkeys(r["project"] for r in rows))
        return [p for p in names if p in self.scope.projects] if self.scope else names

    def areas(self, orgs) -> list[str]:
        orgs = list(orgs) or (list(self.scope.orgs) if self.scope else [])
        return [r["program_area"] for r in self.db.rows("filter_areas", orgs=orgs)]

    def span(self, orgs) -> tuple[int | None, int | None]:
        orgs = list(orgs) or (list(self.scope.orgs) if self.scope else [])
        row = self.db.rows("year_span", orgs=orgs)[0]
        first, last = row["first_year"], row["last_year"]
        if self.scope and first is not None:
            if self.scope.year_from is not None:
                first = max(first, self.scope.year_from)
            if self.scope.year_to is not None:
                last = min(last, self.scope.year_to)
            if first > last:
                return None, None
        return first, last


def _keep_valid(key: str, options: list[str]) -> None:
    """Drop chosen values that are no longer offered (e.g. a project of a deselected org)."""
    chosen = st.session_state.get(key) or []
    kept = [v for v in chosen if v in options]
    if kept != chosen:
        st.session_state[key] = kept


def _clamp_years(first: int, last: int) -> None:
    year_from, year_to = st.session_state.get(KEY_YEARS) or (last, last)
    year_from = min(max(year_from, first), last)
    year_to = min(max(year_to, first), last)
    if (year_from, year_to) != tuple(st.session_state.get(KEY_YEARS) or ()):
        st.session_state[KEY_YEARS] = (min(year_from, year_to), max(year_from, year_to))


def language_switch() -> str:
    """The language control; returns 'zh' or 'en'."""
    # The label names both languages, so whoever cannot read the current one still finds it.
    label = t("filters.language", st.session_state.get(KEY_LANG) or LANGS[0])
    st.sidebar.segmented_control(label, LANGS, key=KEY_LANG, required=True,
                                 format_func=LANG_NAMES.get)
    return st.session_state.get(KEY_LANG) or LANGS[0]


def filter_widgets(options: Options, lang: str) -> Filters:
    """Draw the filters and return the selection they describe."""
    sidebar = st.sidebar
    sidebar.header(t("filters.header", lang))
    org_options = options.orgs()
    _keep_valid(KEY_ORGS, org_options)
    orgs = sidebar.multiselect(t("filters.org", lang), org_options, key=KEY_ORGS,
                               format_func=display_text,
                               placeholder=t("filters.all_orgs", lang))
    first, last = options.span(orgs)
    year_from = year_to = None
    if first is not None:
        _clamp_years(first, last)
        if first < last:
            year_from, year_to = sidebar.slider(t("filters.years", lang), min_value=first,
                                                max_value=last, key=KEY_YEARS, step=1)
        else:
            year_from = year_to = first
            sidebar.caption(t("filters.single_year", lang, year=first))
    project_options = options.projects(orgs)
    _keep_valid(KEY_PROJECTS, project_options)
    projects = sidebar.multiselect(t("filters.project", lang), project_options,
                                   key=KEY_PROJECTS, format_func=display_text,
                                   placeholder=t("filters.all_projects", lang))
    area_options = options.areas(orgs)
    _keep_valid(KEY_AREAS, area_options)
    areas = sidebar.multiselect(t("filters.area", lang), area_options, key=KEY_AREAS,
                                format_func=display_text,
                                placeholder=t("filters.all_areas", lang))
    return Filters(orgs=tuple(orgs), year_from=year_from, year_to=year_to,
                   projects=tuple(projects), areas=tuple(areas))
