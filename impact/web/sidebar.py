"""The sidebar: language, organisation, year range, project and programme-area filters.

Widget values live in st.session_state under the keys below, so they survive page switches
(the sidebar is drawn by dashboard.py on every run, whatever the page). They are seeded from
the URL on a session's first run (impact.web.context) and written back to it on every run.
"""

from __future__ import annotations

import streamlit as st

from impact.filters import Filters
from impact.presentation.i18n import LANGS, label, t
from impact.presentation.safetext import display_text
from impact.web.options import default_period

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

    def default_years(self, orgs) -> tuple[int, int] | None:
        first, last = self.span(orgs)
        return None if last is None else default_period(first, last, self.scope)


def _keep_chosen(key: str, options: list[str], everything: list[str]) -> list[str]:
    """The options to offer: those of the chosen organisations, plus whatever is already
    chosen (a choice never changes another choice: picking an organisation keeps the
    projects picked before, and the page says when they have no records). Values no longer
    in the data at all are dropped."""
    chosen = st.session_state.get(key) or []
    kept = [v for v in chosen if v in everything]
    if kept != chosen:
        st.session_state[key] = kept
    return options + [v for v in kept if v not in options]


def _clamp_years(first: int, last: int, default: tuple[int, int]) -> None:
    """Keep the chosen years inside the data's whole span (the slider's fixed bounds)."""
    year_from, year_to = st.session_state.get(KEY_YEARS) or default
    year_from = min(max(year_from, first), last)
    year_to = min(max(year_to, first), last)
    if (year_from, year_to) != tuple(st.session_state.get(KEY_YEARS) or ()):
        st.session_state[KEY_YEARS] = (min(year_from, year_to), max(year_from, year_to))


def coverage_notices(options: Options, filters: Filters, lang: str) -> list[str]:
    """Plain words where the choices do not meet: years outside the organisations' records,
    projects or areas the chosen organisations do not have."""
    out = []
    if filters.orgs and filters.year_from is not None:
        first, last = options.span(filters.orgs)
        if first is not None and (filters.year_to < first or filters.year_from > last):
            out.append(t("filters.outside_span", lang, orgs=t("filters.list_sep", lang).join(
                filters.orgs), first=first, last=last))
    if filters.orgs:
        theirs = options.projects(filters.orgs)
        for project in filters.projects:
            if project not in theirs:
                out.append(t("filters.foreign_project", lang, project=project))
        areas = options.areas(filters.orgs)
        for area in filters.areas:
            if area not in areas:
                out.append(t("filters.foreign_area", lang, area=label("area", area, lang)))
    return out


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
    _keep_chosen(KEY_ORGS, [], org_options)
    # select_all=False: Streamlit's "Select all" option is English-only, and choosing
    # nothing already means all.
    orgs = sidebar.multiselect(t("filters.org", lang), org_options, key=KEY_ORGS,
                               select_all=False, format_func=display_text,
                               placeholder=t("filters.all_orgs", lang))
    # The slider spans all the data, whatever the organisations: picking one must not move
    # (or reset) the years. coverage_notices() says when the years miss its records.
    first, last = options.span(())
    year_from = year_to = None
    if first is not None:
        _clamp_years(first, last, options.default_years(()))
        if first < last:
            year_from, year_to = sidebar.slider(t("filters.years", lang), min_value=first,
                                                max_value=last, key=KEY_YEARS, step=1)
        else:
            year_from = year_to = first
            sidebar.caption(t("filters.single_year", lang, year=first))
    every_project = options.projects(())
    project_options = _keep_chosen(KEY_PROJECTS, options.projects(orgs), every_project)
    projects = sidebar.multiselect(t("filters.project", lang), project_options,
                                   select_all=False, format_func=display_text,
                                   key=KEY_PROJECTS, placeholder=t("filters.all_projects", lang))
    area_options = _keep_chosen(KEY_AREAS, options.areas(orgs), options.areas(()))
    areas = sidebar.multiselect(t("filters.area", lang), area_options, key=KEY_AREAS,
                                select_all=False,
                                placeholder=t("filters.all_areas", lang),
                                format_func=lambda area: display_text(label("area", area,
                                                                            lang)))
    return Filters(orgs=tuple(orgs), year_from=year_from, year_to=year_to,
                   projects=tuple(projects), areas=tuple(areas))
