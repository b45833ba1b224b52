"""The dashboard's pages, listed once: dashboard.py's navigation and its sidebar menu, and the
routing that sends a page file run on its own through dashboard.py, all read this list."""

from __future__ import annotations

from pathlib import Path

ENTRY_POINT = "dashboard.py"  # the script `streamlit run` is given
LANDING_URL = "start"  # the hidden page behind "/" (dashboard.py `landing`)

# (file under the project root, url path, locale key of its title, icon);
# who sees /data, /report, /share, /grants and /accounts depends on the role (dashboard.py `allowed`).
PAGES = (
    ("pages/overview.py", "overview", "nav.overview", ":material/dashboard:"),
    ("pages/beneficiaries.py", "beneficiaries", "nav.beneficiaries", ":material/groups:"),
    ("pages/volunteers.py", "volunteers", "nav.volunteers", ":material/volunteer_activism:"),
    ("pages/finance.py", "finance", "nav.finance", ":material/account_balance:"),
    ("pages/growth.py", "growth", "nav.growth", ":material/trending_up:"),
    ("pages/results.py", "results", "nav.results", ":material/flag:"),
    ("pages/grants.py", "grants", "nav.grants", ":material/handshake:"),
    ("pages/data.py", "data", "nav.data", ":material/upload_file:"),
    ("pages/report.py", "report", "nav.report", ":material/description:"),
    ("pages/share.py", "share", "nav.share", ":material/share:"),
    ("pages/accounts.py", "accounts", "nav.accounts", ":material/manage_accounts:"),
)


def url_paths(root: Path) -> list[str]:
    """The url paths of the pages whose files exist under `root`."""
    return [url for path, url, _, _ in PAGES if (root / path).is_file()]
