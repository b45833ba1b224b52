"""Importing a million-row CSV streams it: the import's peak memory stays within 500 MB
(issue #27, item 11: a 27 MB, 1M-row CSV used to peak at about 1.8-2 GB), and the stored
totals are exactly those of the file.

The import runs in a fresh process (`python -m impact import`), whose peak resident set
(VmHWM, read by a small wrapper before it exits) is what is asserted. `pytest -m long`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = 1_000_000
LIMIT_MB = 500
HEADER = "日期,机构,项目,服务领域,活动类型,服务次数,受益人次,志愿者人次,志愿服务时长（分钟）\n"

# Runs the CLI's main in this process, then prints its peak resident set in kB (VmHWM).
WRAPPER = """
import atexit, json, os, sys
from impact.cli import main  # not `run`, which ends the process before we can measure
code = main(sys.argv[1:])
atexit._run_exitfuncs()
peak = next(int(line.split()[1]) for line in open("/proc/self/status")
            if line.startswith("VmHWM:"))
print(json.dumps({"peak_kb": peak, "code": code}), file=sys.stderr)
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)  # as `impact.cli.run` does: no interpreter teardown (DuckDB may abort there)
"""


def write_activities(path: Path, rows: int) -> dict[str, int]:
    """A `rows`-row activities CSV in the template's shape (about 27 bytes a row, UTF-8,
    Chinese headers) and the sums of its figures."""
    sums = {"sessions": 0, "beneficiaries": 0, "volunteers": 0, "volunteer_minutes": 0}
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        lines = []
        for i in range(rows):
            sessions, people, volunteers = 1 + i % 3, i % 97, i % 7
            minutes = volunteers * (i % 50)
            sums["sessions"] += sessions
            sums["beneficiaries"] += people
            sums["volunteers"] += volunteers
            sums["volunteer_minutes"] += minutes
            lines.append(f"2024-{1 + i % 12}-{1 + i % 28},O,P{i % 9},A,T,"
                         f"{sessions},{people},{volunteers},{minutes}\n")
            if len(lines) == 50_000:
                out.writelines(lines)
                lines = []
        out.writelines(lines)
    return sums


def import_peak(csv: Path, data_dir: Path) -> tuple[subprocess.CompletedProcess, int]:
    """Import `csv` in a fresh process; (the finished process, its peak RSS in MB)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", WRAPPER, "import", str(csv), "--table",
                           "activities", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=1800)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return done, report["peak_kb"] // 1024


@pytest.mark.long
def test_a_million_row_csv_imports_within_500_mb_with_exact_totals(tmp_path, cli):
    csv = tmp_path / "activities_1m.csv"
    sums = write_activities(csv, ROWS)
    assert 25_000_000 < csv.stat().st_size < 32_000_000  # the "27 MB" file
    data_dir = tmp_path / "data"
    assert cli("init", str(data_dir)).returncode == 0
    done, peak_mb = import_peak(csv, data_dir)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{ROWS} rows read, added {ROWS}" in done.stdout
    assert peak_mb <= LIMIT_MB, f"peak RSS {peak_mb} MB > {LIMIT_MB} MB"

    from impact.storage.store import DataStore
    import pyarrow.compute as pc

    stored = DataStore(data_dir).read_table("activities")
    assert stored.num_rows == ROWS
    assert {c: pc.sum(stored[c]).as_py() for c in sums} == sums
    assert len(pc.unique(stored["activity_id"])) == ROWS
