"""Screenshots of every page in both languages, desktop (1440 px) and phone (390 px), for
docs/screenshots/: `python tools/screenshots.py http://127.0.0.1:8501 docs/screenshots`.

Needs a running dashboard on the demo data and Debian's chromium. Waits for the app's
state (title, charts, tables, the dashboard's stylesheet), never for a fixed time alone.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

PAGES = {"overview": ("总览", "Overview"), "beneficiaries": ("受益", "Beneficiaries"),
         "volunteers": ("志愿", "Volunteers"), "finance": ("财务", "Finance"),
         "growth": ("增长", "Growth"), "data": ("数据导入", "Data"),
         "report": ("年度报告", "Annual report")}
WIDTHS = {"desktop": 1440, "phone": 390}
PARAMS = {"org": "珠海协作者", "from": "2019", "to": "2020"}
GROWTH = {"from": "2015", "to": "2018"}


def _url(base: str, page: str, lang: str) -> str:
    params = GROWTH if page == "growth" else PARAMS
    return f"{base}/{page}?" + "&".join(f"{k}={quote(v)}" for k, v in
                                         {**params, "lang": lang}.items())


def shoot(browser, base: str, page_name: str, lang: str, width: int, path: Path) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(_url(base, page_name, lang))
    title = PAGES[page_name][0 if lang == "zh" else 1]
    page.get_by_role("heading", name=title, level=1).wait_for(timeout=90_000)
    page.wait_for_function(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--impact-style')"
        ".trim() === '1' && !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=60_000)
    ready = ("() => !document.querySelector('[data-testid=\"stSkeleton\"]') &&"
             " [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
             ".every(c => c.querySelector('.main-svg')) &&"
             " [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
             ".filter(d => d.offsetParent !== null)"  # tables in hidden tabs never draw
             ".every(d => d.querySelector('canvas'))")
    measure = ("() => Math.max(document.querySelector('[data-testid=\"stMain\"]')"
               "?.scrollHeight || 0, document.body.scrollHeight)")
    # Grow the viewport to the page until its height holds: elements below the fold draw
    # only once they are in view, and drawing them can make the page longer.
    height = 0
    for _ in range(6):
        page.wait_for_function(ready, timeout=90_000)
        now = page.evaluate(measure)
        if now == height:
            break
        height = now
        page.set_viewport_size({"width": width, "height": min(height, 12000)})
        page.wait_for_timeout(800)
    page.wait_for_timeout(1500)  # plotly re-lays responsive charts after the resize
    page.screenshot(path=str(path))
    page.close()


def main(base: str, target: str, only: str = "") -> None:
    out = Path(target)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu",
                                          "--disable-dev-shm-usage"])
        for name in PAGES:
            if only and name not in only.split(","):
                continue
            for lang in ("zh", "en"):
                for kind, width in WIDTHS.items():
                    path = out / f"{name}-{lang}-{kind}.png"
                    shoot(browser, base, name, lang, width, path)
                    print(path)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
