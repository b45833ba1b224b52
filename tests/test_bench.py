"""`python -m impact bench`: the CI smoke run (no timing assertions) and its guard rails."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from impact.bench.runner import percentile

ROOT = Path(__file__).resolve().parent.parent
PAGE_KEYS = {"warm_p50_ms", "warm_p95_ms", "cold_ms", "floor_ms", "pandas_ms"}


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "impact", "bench", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_smoke_run_prints_the_table_and_writes_the_json(tmp_path):
    out = tmp_path / "bench.json"
    proc = _bench("--rows", "5000", "--changes", "2", "--json", str(out),
                  "--data-dir", str(tmp_path / "data"))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["rows"] == 5_000
    assert report["peak_rss_mb"] > 0 and report["pandas_peak_rss_mb"] > 0
    assert report["rollups"] is True  # the generated data carries its monthly rollup
    assert {"overview", "finance"} <= set(report["pages"])
    for page, numbers in report["pages"].items():
        assert PAGE_KEYS <= set(numbers), page
        assert all(numbers[k] > 0 for k in PAGE_KEYS), (page, numbers)
        assert numbers["warm_p95_ms"] >= numbers["warm_p50_ms"]
        assert numbers["changes_measured"] == 2
        assert numbers["queries"], page  # the page ran named queries through Database.run
        assert numbers["repeat_p50_ms"] > 0, page  # the same selections, result-cache hits
    assert "q/floor" in proc.stdout and "pandas/ours" in proc.stdout and "overview" in proc.stdout
    assert "peak RSS: dashboard process" in proc.stdout
    assert "pandas/ours ≥ 3 on every page" in proc.stdout and "repeat" in proc.stdout
    pdf = report["report_pdf"]  # issue 5's report timing: measured, or why not
    assert pdf.get("skipped") or (pdf["cold_ms"] > 0 and pdf["warm_ms"] > 0)
    assert "annual report PDF" in proc.stdout

    # A second run on the same directory reuses the data instead of regenerating it.
    again = _bench("--rows", "5000", "--changes", "1", "--no-pandas",
                   "--data-dir", str(tmp_path / "data"))
    assert again.returncode == 0, again.stderr
    assert "reusing 5,000 rows" in again.stderr
    assert "pandas way skipped" in again.stdout


def test_never_writes_into_a_real_data_directory():
    proc = _bench("--rows", "1000", "--data-dir", str(ROOT / "data"))
    assert proc.returncode == 2
    assert "holds real data" in proc.stderr and "Traceback" not in proc.stderr


def test_too_few_rows_is_a_usage_error():
    proc = _bench("--rows", "10")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: --rows 10: give at least 1000"


def test_p95_is_the_nearest_rank():
    values = list(range(1, 21))  # 20 values
    assert percentile(values, 95) == 19
    assert percentile(values, 50) == 10
    assert percentile([7.0], 95) == 7.0


@pytest.mark.requires("chromium")
@pytest.mark.long  # minutes of 2 browser sessions (tests/test_e2e_settle.py: the quick check)
def test_e2e_smoke_run_measures_in_the_browser(tmp_path):
    """`bench --e2e`: two concurrent browser sessions, every everyday page, figures that
    come from the browser (settle times, websocket bytes) and from the server (its runs,
    its own memory), printed next to the server-side table. No timing assertions."""
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "impact", "bench", "--rows", "5000", "--changes", "2",
         "--no-pandas", "--e2e", "--sessions", "2", "--first-visits", "1",
         "--data-dir", str(tmp_path / "data"), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (e2e,) = json.loads(out.read_text(encoding="utf-8"))["e2e"]
    assert e2e["sessions"] == 2 and e2e["server_rss_peak_mb"] > 0
    assert e2e["server_runs"] > 0
    assert set(e2e["pages"]) == {"overview", "beneficiaries", "volunteers", "finance", "growth"}
    for page, p in e2e["pages"].items():
        assert p["error_count"] == 0, (page, p["errors"])
        assert p["first_n"] == 2 and p["first_p50_ms"] > 0, page
        assert p["change_n"] == 4 and p["change_p95_ms"] >= p["change_p50_ms"] > 0, page
        assert p["bytes_per_rerun_p50"] > 0, page            # websocket frames were seen
        assert p["script_p50_ms"] > 0 and p["model_p50_ms"] > 0, page  # server runs matched
    assert "end to end in Chromium: 2 session(s)" in proc.stdout
    assert "warm p50" in proc.stdout  # the server-side table, same run


def test_the_pandas_baseline_does_every_query_the_pages_ask():
    """pandas/ours is only a ratio of the same work: a page query without a pandas
    equivalent would be timed on our side and skipped on pandas' (issue 29)."""
    import pickle

    from impact.bench import baseline
    from impact.bench.pages import RecordingDatabase, call_page, discover
    from impact.bench.worker import _selection
    from impact.storage.db import Database

    data = str(Path(__file__).resolve().parent.parent / "data")
    db = Database(data)
    frames = pickle.loads(baseline.load(data))
    orgs, years, projects, areas, default_filters, filter_changes = _selection(db)
    selections = [default_filters(years)] + filter_changes(orgs, years, 4, projects=projects,
                                                           areas=areas)
    for page, (fn, *_) in discover().items():
        for filters in selections:
            recorded = RecordingDatabase(db)
            call_page(fn, recorded, filters)
            missing = {c.name for c in recorded.calls} - set(baseline.PANDAS_QUERIES)
            assert not missing, (page, missing)
            assert baseline.interaction_resource(frames, recorded.calls) == len(recorded.calls)


PLAIN_APP = '''
import sys
import pandas as pd
import plotly.express as px
import streamlit as st

@st.cache_resource
def load():
    act = pd.read_parquet(f"{sys.argv[1]}/activities", columns=["date", "org", "beneficiaries"])
    act["year"] = pd.to_datetime(act["date"]).dt.year
    return act

act = load()
orgs = st.sidebar.multiselect("Organisation", sorted(act["org"].unique()))
y0, y1 = int(act["year"].min()), int(act["year"].max())
year_from, year_to = st.sidebar.slider("Years", y0, y1, (y1, y1))
a = act[act["org"].isin(orgs)] if orgs else act
a = a[(a["year"] >= year_from) & (a["year"] <= year_to)]
st.metric("Beneficiaries", int(a["beneficiaries"].sum()))
st.plotly_chart(px.bar(a.groupby("year", as_index=False)["beneficiaries"].sum(),
                       x="year", y="beneficiaries"))
'''


@pytest.mark.browser
@pytest.mark.requires("chromium")
def test_peer_run_alternates_our_overview_and_a_plain_page(tmp_path):
    """`bench --e2e --peer APP --peer-only`: both apps' first page and filter changes,
    timed in the same browser, and the ratio the budget is stated in. No timing assertions."""
    app = tmp_path / "plain_app.py"
    app.write_text(PLAIN_APP, encoding="utf-8")
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "impact", "bench", "--rows", "5000", "--changes", "3",
         "--e2e", "--peer", str(app), "--peer-only",
         "--data-dir", str(tmp_path / "data"), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert "e2e" not in report and "warm p50" not in proc.stdout  # only the comparison
    peer = report["peer"]
    for key in ("ours", "peer"):
        s = peer[key]
        assert s["error_count"] == 0, (key, s["errors"])
        assert s["first_ms"] > 0 and s["change_n"] == 3, key
        assert s["change_p95_ms"] >= s["change_p50_ms"] > 0, key
        assert peer["rss_peak_mb"][key] > 0, key
    assert peer["ours"]["model_p50_ms"] > 0  # our server's runs matched to the changes
    assert peer["ratio"] == round(peer["peer"]["change_p50_ms"] / peer["ours"]["change_p50_ms"], 2)
    assert "the plain page's change p50 ÷ ours" in proc.stdout


def test_peer_needs_e2e_and_an_existing_app(tmp_path):
    for argv, message in ((["--peer", str(tmp_path / "x.py")], "need --e2e"),
                          (["--e2e", "--peer", str(tmp_path / "x.py")], "no such Streamlit"),
                          (["--e2e", "--peer-only"], "needs --peer")):
        proc = subprocess.run([sys.executable, "-m", "impact", "bench", *argv], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode != 0 and message in proc.stderr, (argv, proc.stderr)
