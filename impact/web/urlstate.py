"""The view's state in the URL: `org`, `from`, `to`, `project`, `area` (repeatable where
plural) and `lang`, so that a shared link reproduces the view exactly.

Parsing is pure (a mapping of lists in, a selection and notices out) so tests can drive it;
values are checked against what the data offers and anything unknown is dropped with a
notice — never used, never echoed into SQL or HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from impact.presentation.i18n import LANGS, t

MAX_ECHO = 40  # a notice quotes at most this many characters of a bad value


@dataclass
class UrlSelection:
    """What a URL asks for, already validated against the available options."""

    orgs: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    projects: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    lang: str | None = None
    notices: list[str] = field(default_factory=list)


def _values(params, name: str) -> list[str]:
    """All values of a parameter, whether the mapping holds a str or a list of str."""
    value = params.get(name)
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]


def _echo(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= MAX_ECHO else value[:MAX_ECHO] + "…"


def parse_lang(params) -> tuple[str | None, list[str]]:
    """The `lang` parameter, or None; a notice (in both languages' default) if unsupported."""
    values = _values(params, "lang")
    if not values:
        return None, []
    lang = values[-1].strip().lower()
    if lang in LANGS:
        return lang, []
    return None, [("url.bad_lang", {"value": _echo(values[-1])})]


def _year(params, name: str, notices: list) -> int | None:
    values = _values(params, name)
    if not values or values[-1].strip() == "":
        return None
    raw = values[-1].strip()
    if raw.isascii() and raw.isdigit() and 1900 <= int(raw) <= 2100:
        return int(raw)
    notices.append(("url.bad_year", {"name": name, "value": _echo(raw)}))
    return None


def _known(params, name: str, options: list[str], notices: list) -> list[str]:
    chosen = []
    for value in _values(params, name):
        if value in options:
            if value not in chosen:
                chosen.append(value)
        elif value.strip():
            notices.append((f"url.unknown_{name}", {"value": _echo(value)}))
    return chosen


def parse(params, lang: str, org_options: list[str], project_options_for, area_options_for,
          span_for) -> UrlSelection:
    """Validate URL parameters against the data.

    `project_options_for(orgs)`, `area_options_for(orgs)` and `span_for(orgs)` give the
    options for some organisations (called with none: every option the visitor may see).
    Notices come back translated into `lang`.
    """
    notices: list = []
    sel = UrlSelection()
    sel.orgs = _known(params, "org", org_options, notices)
    # Any project or area the data holds, as the sidebar keeps them (a choice never changes
    # another choice; the page says when they miss the organisations): a link then opens the
    # very view it was copied from, not a wider one.
    sel.projects = _known(params, "project", project_options_for([]), notices)
    sel.areas = _known(params, "area", area_options_for([]), notices)
    year_from, year_to = _year(params, "from", notices), _year(params, "to", notices)
    first, last = span_for([])  # the whole data: the slider's bounds, whatever the orgs
    if first is not None:
        for name, year in (("from", year_from), ("to", year_to)):
            if year is not None and not first <= year <= last:
                notices.append(("url.year_out_of_range",
                                {"name": name, "value": year, "first": first, "last": last}))
        year_from = None if year_from is None else min(max(year_from, first), last)
        year_to = None if year_to is None else min(max(year_to, first), last)
    if year_from is not None and year_to is not None and year_from > year_to:
        notices.append(("url.years_swapped", {"first": year_to, "last": year_from}))
        year_from, year_to = year_to, year_from
    sel.year_from, sel.year_to = year_from, year_to
    sel.notices = [t(key, lang, **values) for key, values in notices]
    return sel


def to_params(orgs, year_from, year_to, projects, areas, lang: str) -> dict[str, list[str]]:
    """The URL parameters for a view (empty lists and defaults left out)."""
    params: dict[str, list[str]] = {}
    if orgs:
        params["org"] = list(orgs)
    if year_from is not None:
        params["from"] = [str(year_from)]
    if year_to is not None:
        params["to"] = [str(year_to)]
    if projects:
        params["project"] = list(projects)
    if areas:
        params["area"] = list(areas)
    params["lang"] = [lang]
    return params


# -- Page controls: the rest of the view state (issue 11, point 13) -------------------------
# Session key of a page's control → its URL parameter. Seeded from the URL on a session's
# first run, written back on every run (left out at its default), so a link reproduces the
# page exactly and Back undoes a change of any of them.
PAGE_PARAMS = {"volunteer_rates": "rate", "growth_metric": "metric",
               "drill_project": "drill", "report_lang": "rlang", "grants_funder": "funder"}
RATE_MAX = 300  # 元/hour, the volunteer page's slider maximum
MAX_DRILL = 200


def _rate(raw: str):
    parts = raw.split("-")
    if len(parts) == 2 and all(p.isascii() and p.isdigit() and len(p) <= 3 for p in parts):
        low, high = sorted(int(p) for p in parts)
        if high <= RATE_MAX:
            return (low, high)
    return None


def page_state(params, metrics: list[str]) -> tuple[dict, list]:
    """Session values for the page controls a URL names, validated; notices for the rest."""
    state, notices = {}, []
    checks = {"rate": _rate,
              "metric": lambda v: v if v in metrics else None,
              "drill": lambda v: v if 0 < len(v) <= MAX_DRILL else None,
              "rlang": lambda v: v if v in LANGS else None,
              "funder": lambda v: v if 0 < len(v) <= MAX_DRILL else None}
    for key, name in PAGE_PARAMS.items():
        values = _values(params, name)
        if not values:
            continue
        value = checks[name](values[-1].strip())
        if value is None:
            notices.append(("url.bad_param", {"name": name, "value": _echo(values[-1])}))
        else:
            state[key] = value
    return state, notices


def page_params(state, defaults: dict) -> dict[str, list[str]]:
    """URL parameters for the page controls set away from their defaults."""
    out = {}
    for key, name in PAGE_PARAMS.items():
        value = state.get(key)
        if value is None or value == defaults.get(key):
            continue
        out[name] = [f"{value[0]}-{value[1]}" if name == "rate" else str(value)]
    return out
