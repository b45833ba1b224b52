"""The stamp every report carries, so it can be checked later (`impact verify --report`):
the data version and a short hash of its manifest, when it was made, the URL of the view
that reproduces it, and whether its organisation-years are closed (已关账) or open.

HTML carries it as JSON in a <meta> element, Excel in the workbook's properties, PDF as the printed
lines of the "about" table (read back with pdftotext).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from impact.errors import UsageError
from impact.filters import Filters

PUBLIC_URL = "http://localhost:8501"  # override: $IMPACT_PUBLIC_URL (where the dashboard runs)
_VERSION = re.compile(r"v(\d+)\s*\(\s*manifest\s*([0-9a-f]{12})\s*\)")  # pdftotext drops spaces
_URL = re.compile(r"https?://\S*/(?:report|grants)\?\S+")


def view_url(filters: Filters, lang: str, funder: str | None = None) -> str:
    """The page that reproduces a report: /report for the annual report, /grants with the
    funder (?funder=, the page's own choice) for a funder report."""
    params: list[tuple[str, str]] = [("org", o) for o in filters.orgs]
    if filters.year_from is not None:
        params.append(("from", str(filters.year_from)))
    if filters.year_to is not None:
        params.append(("to", str(filters.year_to)))
    params += [("project", p) for p in filters.projects] + [("area", a) for a in filters.areas]
    if funder is not None:
        params.append(("funder", funder))
    params.append(("lang", lang))
    base = os.environ.get("IMPACT_PUBLIC_URL", PUBLIC_URL).rstrip("/")
    return f"{base}/{'report' if funder is None else 'grants'}?{urlencode(params)}"


def filters_of(url: str) -> Filters:
    query = parse_qs(urlsplit(url).query)
    year = lambda k: int(query[k][0]) if k in query else None  # noqa: E731
    return Filters(orgs=tuple(query.get("org", [])), year_from=year("from"), year_to=year("to"),
                   projects=tuple(query.get("project", [])), areas=tuple(query.get("area", [])))


def funder_of(url: str | None) -> str | None:
    """The funder a stamp's URL names: a funder report's (/grants?…&funder=), else None."""
    if not url or urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] != "grants":
        return None
    return (parse_qs(urlsplit(url).query).get("funder") or [None])[-1]


def make(manifest: dict | None, version_hash: str, filters: Filters, orgs, lang: str,
         made: str, years: list[int], funder: str | None = None) -> dict:
    """The stamp of a report on `filters` made now from `manifest` (`funder`: of the funder
    report for that funder)."""
    closed = (manifest or {}).get("closed") or {}
    periods = [{"org": o, "year": y, "closed": f"{o}|{y}" in closed} for o in orgs for y in years]
    return {"version": int((manifest or {}).get("version", 0)), "manifest": version_hash[:12],
            "made": made, "url": view_url(filters, lang, funder), "periods": periods,
            "closed": bool(periods) and all(p["closed"] for p in periods)}


def version_text(stamp: dict) -> str:
    return f"v{stamp['version']} (manifest {stamp['manifest']})"


def html_json(stamp: dict) -> str:
    """The stamp as JSON for a <meta name="impact-stamp" content="…"> element (the template
    escapes it as an attribute value; no script, so the report stays inert)."""
    return json.dumps(stamp, ensure_ascii=False, sort_keys=True)


def read(path: Path) -> dict:
    """The stamp of a report file (.html, .xlsx or .pdf), or a one-line UsageError."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".html", ".htm"):
            text = path.read_text(encoding="utf-8")
            found = re.search(r'<meta name="impact-stamp" content="(.*?)"', text, re.S)
            if found:
                import html
                return json.loads(html.unescape(found.group(1)))
        elif suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                core = z.read("docProps/core.xml").decode("utf-8")
            found = re.search(r"<cp:keywords>(.*?)</cp:keywords>", core, re.S)
            if found:
                import html
                return json.loads(html.unescape(found.group(1)))
        elif suffix == ".pdf":
            return _from_pdf_text(_pdf_text(path))
        else:
            raise UsageError(f"{path}: not a report (.pdf, .html or .xlsx)")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise UsageError(f"{path}: cannot read its stamp ({exc})") from None
    raise UsageError(f"{path}: no Impact Dashboard stamp found (made before reports had one?)")


def _pdf_text(path: Path) -> str:
    try:
        done = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True,
                              text=True, timeout=120)
    except FileNotFoundError:
        raise UsageError("reading a PDF report's stamp needs pdftotext "
                         "(Debian package poppler-utils)") from None
    if done.returncode != 0:
        raise UsageError(f"{path}: not a readable PDF ({done.stderr.strip()[:200]})")
    return done.stdout


def _from_pdf_text(text: str) -> dict:
    version = _VERSION.search(text)
    if not version:
        raise ValueError("no data version line")
    joined = re.sub(r"\n(?=[^\s]*&|[^\s]*=)", "", text)  # a URL wrapped in its table cell
    url = _URL.search(joined)
    return {"version": int(version.group(1)), "manifest": version.group(2),
            "url": url.group(0) if url else None}
