"""The README's 40 screenshots, in one command: every page in both languages, desktop (1440 px)
and phone (390 px), into docs/screenshots/.

    python tools/screenshots.py                      # starts its own server on the demo data
    python tools/screenshots.py --only report,data   # some pages
    python tools/screenshots.py --kinds phone        # the 390 px ones only
    python tools/screenshots.py --base http://127.0.0.1:8501 --out /tmp/shots

Without --base it runs `streamlit run dashboard.py` on a free loopback port over data/ (the
demo data, `python -m impact demo`), as the browser tests do, and stops it afterwards. Needs
Debian's chromium. Waits for the app's state (title, finished run, drawn charts and tables,
the dashboard's stylesheet), never for a fixed time.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser_support import (launch_chromium, new_page, settled,  # noqa: E402
                                   streamlit_server, wait_charts_drawn, wait_tables_fitted)

PAGES = {"overview": ("总览", "Overview"), "beneficiaries": ("受益", "Beneficiaries"),
         "volunteers": ("志愿", "Volunteers"), "finance": ("财务", "Finance"),
         "growth": ("增长", "Growth"), "results": ("成效", "Results"),
         "grants": ("资助成效", "What your grant delivered"),
         "share": ("资助方链接", "Funder links"), "data": ("数据导入", "Data import"),
         "report": ("年度报告", "Annual report")}
WIDTHS = {"desktop": 1440, "phone": 390}
PARAMS = {"org": "珠海协作者", "from": "2019", "to": "2020"}
GROWTH = {"from": "2015", "to": "2018"}
MAX_HEIGHT = 12_000


def _url(base: str, page: str, lang: str) -> str:
    params = GROWTH if page == "growth" else PARAMS
    return f"{base}/{page}?" + "&".join(f"{k}={quote(v)}" for k, v in
                                         {**params, "lang": lang}.items())


_HEIGHT = ("() => Math.max(document.querySelector('[data-testid=\"stMain\"]')"
           "?.scrollHeight || 0, document.body.scrollHeight)")


def shoot(browser, base: str, page_name: str, lang: str, width: int, path: Path) -> None:
    page = new_page(browser, width, 900)
    page.goto(_url(base, page_name, lang))
    title = PAGES[page_name][0 if lang == "zh" else 1]
    page.get_by_role("heading", name=title, level=1).wait_for()
    settled(page, lang)
    # Grow the viewport to the page until its height holds: elements below the fold draw
    # only once they are in view, and drawing them can make the page longer.
    height = 0
    for _ in range(6):
        now = page.evaluate(_HEIGHT)
        if now == height:
            break
        height = now
        page.set_viewport_size({"width": width, "height": min(height, MAX_HEIGHT)})
        wait_charts_drawn(page)  # plotly re-lays responsive charts after the resize
    wait_tables_fitted(page)  # a wide table ends at a column boundary (impact.web.browser)
    page.screenshot(path=str(path))
    page.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="a running dashboard (default: start one)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--kinds", default=",".join(WIDTHS), help="desktop, phone or both")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    only = [n for n in args.only.split(",") if n]
    from playwright.sync_api import sync_playwright

    with (nullcontext(args.base) if args.base else streamlit_server()) as base, \
            sync_playwright() as p:
        browser = launch_chromium(p)
        for name in PAGES:
            if only and name not in only:
                continue
            for lang in ("zh", "en"):
                for kind, width in WIDTHS.items():
                    if kind not in args.kinds.split(","):
                        continue
                    path = out / f"{name}-{lang}-{kind}.png"
                    shoot(browser, base, name, lang, width, path)
                    print(path)
        browser.close()


if __name__ == "__main__":
    main()
