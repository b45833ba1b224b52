"""Versions under stress: random sequences of corrections against an in-memory model, and
kill -9 at random points of a write."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from impact.errors import DataError, UsageError
from impact.filters import Filters
from impact.ingest import check_file, import_payload
from impact.ingest.write import commit_correction, plan_correction
from impact.storage import edits, retention, versions
from impact.storage.db import Database
from impact.storage.integrity import verify
from impact.storage.store import DataStore
from tests.test_versions import _csv

ORGS = ("甲机构", "乙机构")
YEARS = (2020, 2021)
SUMS = ("sessions", "beneficiaries", "volunteers", "volunteer_minutes")


def _row(key: int, org: str, year: int, people: int) -> dict:
    return {"activity_id": f"A{key}", "date": date(year, 1 + key % 12, 1 + key % 28),
            "org": org, "project": "项目", "program_area": None, "activity_type": None,
            "sessions": 1, "beneficiaries": people, "volunteers": key % 3,
            "volunteer_minutes": 30 * (key % 3)}


def _payload(rows: list[dict]) -> bytes:
    return _csv([{**r, "date": r["date"].isoformat(),
                  "program_area": "", "activity_type": ""} for r in rows])


def _period(r: dict) -> tuple[str, int]:
    return r["org"], r["date"].year


class Corrections(RuleBasedStateMachine):
    """The store against a dict of records: after every step the dashboard's totals equal
    the model's, and verify passes."""

    def __init__(self):
        super().__init__()
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="impact-sm-")
        self.store = DataStore(self.dir)
        self.db = None
        self.model: dict[tuple, dict] = {}
        self.states: list[dict] = []  # data per version (index = version - 1)
        self.closed: set[tuple[str, int]] = set()
        self.next_key = 0

    # -- helpers --------------------------------------------------------------------------
    def _blocked(self, rows) -> bool:
        return any(_period(r) in self.closed for r in rows)

    def _commit(self, new_model: dict) -> None:
        self.model = new_model
        self.states.append(dict(new_model))

    def _version_only(self) -> None:
        self.states.append(dict(self.model))

    # -- rules ----------------------------------------------------------------------------
    @rule(org=st.sampled_from(ORGS), year=st.sampled_from(YEARS),
          people=st.lists(st.integers(1, 500), min_size=1, max_size=4))
    def import_rows(self, org, year, people):
        rows = []
        for p in people:
            self.next_key += 1
            rows.append(_row(self.next_key, org, year, p))
        try:
            _, entry = import_payload("new.csv", _payload(rows), "activities", self.store)
        except DataError as exc:
            assert self._blocked(rows) and "closed period" in str(exc)
            return
        assert not self._blocked(rows) and entry is not None
        self._commit({**self.model, **{(r["org"], r["activity_id"]): r for r in rows}})

    @precondition(lambda self: self.model)
    @rule(pick=st.integers(0, 10_000), people=st.integers(1, 900))
    def update_row(self, pick, people):
        key = sorted(self.model)[pick % len(self.model)]
        row = {**self.model[key], "beneficiaries": people}
        check = check_file("fix.csv", _payload([row]), "activities", self.store)
        plan = plan_correction(check, self.store, "update")
        if row == self.model[key]:
            assert plan.empty
            return
        try:
            commit_correction(check, plan, self.store, "update", "fix")
        except DataError as exc:
            assert self._blocked([row]) and "closed period" in str(exc)
            return
        assert not self._blocked([row])
        self._commit({**self.model, key: row})

    @precondition(lambda self: self.model)
    @rule(pick=st.integers(0, 10_000), bump=st.integers(1, 50))
    def replace_period(self, pick, bump):
        org, year = _period(self.model[sorted(self.model)[pick % len(self.model)]])
        mine = [r for r in self.model.values() if _period(r) == (org, year)]
        kept = [{**r, "beneficiaries": r["beneficiaries"] + bump} for r in mine[1:]] or \
            [{**mine[0], "beneficiaries": mine[0]["beneficiaries"] + bump}]
        check = check_file("year.csv", _payload(kept), "activities", self.store)
        plan = plan_correction(check, self.store, "replace")
        try:
            commit_correction(check, plan, self.store, "replace", "re-export")
        except DataError as exc:
            assert (org, year) in self.closed and "closed period" in str(exc)
            return
        assert (org, year) not in self.closed
        # --replace replaces the organisation's months the file covers, first to last
        # (docs/import.md): records of the same year outside them stay.
        first = min((r["date"].year, r["date"].month) for r in kept)
        last = max((r["date"].year, r["date"].month) for r in kept)
        model = {k: r for k, r in self.model.items()
                 if not (r["org"] == org and first <= (r["date"].year, r["date"].month) <= last)}
        model.update({(r["org"], r["activity_id"]): r for r in kept})
        self._commit(model)

    @precondition(lambda self: self.model)
    @rule(pick=st.integers(0, 10_000))
    def delete_row(self, pick):
        key = sorted(self.model)[pick % len(self.model)]
        ids = pa.array([key[1]], pa.string())
        plan = edits.plan(self.store, "activities",
                          remove=lambda t: pc.is_in(t["activity_id"], value_set=ids))
        try:
            with self.store.lock():
                edits.apply(self.store, plan, record={"kind": "delete", "why": "t"})
        except DataError as exc:
            assert self._blocked([self.model[key]]) and "closed period" in str(exc)
            return
        assert not self._blocked([self.model[key]])
        self._commit({k: r for k, r in self.model.items() if k != key})

    @precondition(lambda self: self.states)
    @rule()
    def undo(self):
        changed = [i for i in range(len(self.states))
                   if self.states[i] != (self.states[i - 1] if i else {})]
        try:
            versions.undo(self.store, "", version=versions.last_change(self.store))
        except UsageError:
            assert not changed or changed[-1] == 0
            return
        except DataError as exc:
            assert "closed period" in str(exc)
            return
        last = changed[-1]
        self._commit(dict(self.states[last - 1]))

    @precondition(lambda self: self.model)
    @rule(org=st.sampled_from(ORGS), year=st.sampled_from(YEARS), reopen=st.booleans())
    def close_or_reopen(self, org, year, reopen):
        known = {r["org"] for r in self.model.values()}
        try:
            versions.close(self.store, org, year, "sign-off", reopen=reopen)
        except UsageError:
            assert (reopen and (org, year) not in self.closed) or \
                (not reopen and ((org, year) in self.closed or org not in known))
            return
        (self.closed.discard if reopen else self.closed.add)((org, year))
        self._version_only()

    # -- the check ------------------------------------------------------------------------
    @invariant()
    def totals_match_the_model_and_verify_passes(self):
        if not self.states:
            return
        if self.db is None:
            self.db = Database(self.dir)
        self.db.refresh()
        got = self.db.rows("activity_totals", **Filters().params())[0]
        assert got["records"] == len(self.model)
        for column in SUMS:
            name = "services" if column == "sessions" else column
            assert got[name] == sum(r[column] for r in self.model.values()), column
        assert verify(self.store).ok

    def teardown(self):
        import shutil
        if self.db is not None:
            self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)


Corrections.TestCase.settings = settings(max_examples=12, stateful_step_count=10, deadline=None,
                                         suppress_health_check=list(HealthCheck))
test_corrections_state_machine = Corrections.TestCase


# -- kill -9 ---------------------------------------------------------------------------------

def _update_command(data_dir, fix) -> list[str]:
    return [sys.executable, "-m", "impact", "import", str(fix), "--table", "activities",
            "--data-dir", str(data_dir), "--update", "--reason", "kill test"]


@pytest.mark.timeout(900)
def test_kill_9_at_random_points_leaves_the_previous_or_the_next_version(demo_copy, tmp_path):
    store = DataStore(demo_copy)
    row = store.read_table("activities").slice(10, 1).to_pylist()[0]
    fix = tmp_path / "fix.csv"
    start = time.monotonic()
    rng = random.Random(13)
    people = row["beneficiaries"]
    db = Database(str(demo_copy))
    params = Filters().params()
    for attempt in range(6):
        base = store.manifest()["version"]
        total = db.rows("activity_totals", **params)[0]["beneficiaries"]
        people += 7
        fix.write_bytes(_csv([{**row, "beneficiaries": people}]))
        proc = subprocess.Popen(_update_command(demo_copy, fix), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:  # a random point of the write: the process is killed wherever it has got to
            proc.wait(timeout=rng.uniform(0.5, 4.0))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        version = DataStore(demo_copy).manifest()["version"]
        assert version in (base, base + 1)
        assert verify(DataStore(demo_copy)).ok
        db.refresh()
        now = db.rows("activity_totals", **params)[0]["beneficiaries"]
        if version == base:
            assert now == total
            people -= 7  # not applied: the next attempt starts from the same stored row
        else:
            assert now == total + 7
    # Whatever the kills left behind, gc clears; the data is untouched and still verifies.
    retention.gc(DataStore(demo_copy), grace_s=0)
    assert verify(DataStore(demo_copy)).ok
    assert not list(demo_copy.rglob("*.tmp"))
    assert time.monotonic() - start < 900
