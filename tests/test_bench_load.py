"""`impact bench --load`: the protocol-level load driver (issue 29), on the bundled demo data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from impact.bench import load
from impact.filters import Filters

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_two_sessions_replay_filter_changes_to_script_finished():
    summary = load.run_load(str(ROOT / "data"), sessions=2, changes=2,
                            pages=("overview", "finance"), log=lambda _msg: None)
    assert summary["errors"] == 0, summary["error_examples"]
    assert summary["sessions"] == 2 and summary["changes"] == 4
    assert summary["changes_ok"] == 4
    assert summary["kinds"]["first"]["n"] == 2
    assert summary["kinds"]["switch"]["n"] == 2  # each session moved to its other page once
    assert set(summary["pages"]) == {"overview", "finance"}
    assert 0 < summary["change_p50_ms"] <= summary["change_p95_ms"] <= summary["change_max_ms"]
    # The server's run log was matched to the changes: the script body is inside the wait.
    assert summary["split_p50_ms"]["script"] is not None
    assert summary["split_p50_ms"]["script"] <= summary["change_max_ms"]
    assert summary["server_rss_peak_mb"] > 50 and summary["server_cpu_s"] > 0
    assert summary["kb_per_change_p50"] > 1  # the page's elements came back
    text = load.format_load(None, summary)
    assert "protocol level: 2 sessions, 4 filter changes" in text and "errors: 0" in text


def test_query_string_is_what_the_app_writes():
    f = Filters(orgs=("阳光", "b&c"), year_from=2022, year_to=2023, projects=("p 1",),
                areas=("elderly",))
    assert load.query_string(f) == ("org=%E9%98%B3%E5%85%89&org=b%26c&from=2022&to=2023"
                                    "&project=p+1&area=elderly&lang=zh")


def test_plan_spreads_sessions_over_the_pages_with_new_selections():
    plans = load.plan(3, 5, load.EVERYDAY, list(range(15)))
    assert [p[0][0] for p in plans] == ["overview", "beneficiaries", "volunteers"]
    assert [page for page, _ in plans[0]] == list(load.EVERYDAY)
    assert sorted(sel for p in plans for _, sel in p) == list(range(15))  # none repeated


def test_load_flags_are_checked():
    proc = subprocess.run([sys.executable, "-m", "impact", "bench", "--load", "2", "--url",
                           "http://127.0.0.1:1"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode != 0 and "--url needs --data-dir" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "impact", "bench", "--think", "1"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "need --load" in proc.stderr
