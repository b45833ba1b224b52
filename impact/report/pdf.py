"""The PDF: the report's HTML printed to A4 by headless Chromium (Playwright).

Chromium embeds the Noto CJK glyphs it draws and keeps the text extractable (pdftotext
finds every figure); `thead {display: table-header-group}` repeats table headers on every
page. The browser is started once per process, in one worker thread that owns it, because
Playwright objects may only be used from the thread that made them and Streamlit runs each
session in its own thread.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from html import escape

from impact.errors import ImpactError
from impact.presentation.i18n import t
from impact.report.browser import CHROMIUM_ARGS, chromium_path, cjk_font, on_shutdown

FOOTER_STYLE = ("width:100%;font-size:7.5pt;color:#6b6f7b;padding:0 14mm;"
                "font-family:'Noto Sans CJK SC',sans-serif;display:flex;"
                "justify-content:space-between")
# Printing a long report can take a few seconds; a hung browser must not hang the caller.
PRINT_TIMEOUT_S = 120


class _Printer:
    """A Chromium owned by one worker thread; jobs arrive on a queue."""

    def __init__(self) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._ready: Future | None = None
        self._lock = threading.Lock()

    def start(self) -> Future:
        """Start the browser in the background (if it is not running); its readiness."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                on_shutdown(self.stop)
                self._ready = Future()
                self._thread = threading.Thread(target=self._run, args=(self._ready,),
                                                name="report-pdf", daemon=True)
                self._thread.start()
            return self._ready

    def submit(self, html: str, footer: str) -> bytes:
        try:
            self.start().result(timeout=PRINT_TIMEOUT_S)  # raises if the browser did not start
            job: Future = Future()
            self._jobs.put((html, footer, job))
            return job.result(timeout=PRINT_TIMEOUT_S)
        except FutureTimeout:
            raise ImpactError(f"Chromium did not print the PDF within {PRINT_TIMEOUT_S} s"
                              ) from None

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout=10)

    def _run(self, ready: Future) -> None:
        from playwright.sync_api import Error, sync_playwright

        manager = None
        try:
            path = chromium_path()
            manager = sync_playwright().start()
            browser = manager.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS))
        except Exception as exc:  # noqa: BLE001 - any start failure becomes one line for the user
            if manager is not None:
                manager.stop()
            if not isinstance(exc, ImpactError):
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                exc = ImpactError(f"could not start Chromium for the PDF ({first})")
            ready.set_exception(exc)
            return
        ready.set_result(True)
        try:
            while (item := self._jobs.get()) is not None:
                html, footer, job = item
                try:
                    job.set_result(_print(browser, html, footer))
                except Error as exc:
                    job.set_exception(ImpactError(f"Chromium could not print the PDF "
                                                  f"({str(exc).splitlines()[0]})"))
        finally:
            browser.close()
            manager.stop()


def _print(browser, html: str, footer: str) -> bytes:
    page = browser.new_page()
    try:
        # The page is self-contained; any request would be a bug, so none is let out.
        page.route("**/*", lambda route: route.abort())
        page.set_content(html, wait_until="load")
        return page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                        display_header_footer=True, header_template="<span></span>",
                        footer_template=footer)
    finally:
        page.close()


_printer = _Printer()


def footer_template(title: str, lang: str) -> str:
    """The page footer: the report's title and 'page n of N' (Chromium fills the numbers)."""
    pages = t("report.footer", lang, title="{title}", page="{page}", pages="{pages}")
    text = escape(pages).replace("{title}", escape(title)).replace(
        "{page}", '<span class="pageNumber"></span>').replace(
        "{pages}", '<span class="totalPages"></span>')
    return f'<div style="{FOOTER_STYLE}"><span>{text}</span></div>'


def warm_up() -> None:
    """Check Chromium and the CJK font, and start the PDF browser now, so it is ready by the
    time the charts are drawn."""
    chromium_path()
    cjk_font()  # organisation and project names are Chinese in either language
    _printer.start()


def html_to_pdf(html: str, title: str, lang: str) -> bytes:
    """Print the report page to an A4 PDF (needs Debian's chromium and fonts-noto-cjk)."""
    chromium_path()
    cjk_font()  # organisation and project names are Chinese in either language
    return _printer.submit(html, footer_template(title, lang))
