"""Corrections, versions, undo and period close, end to end on a copy of the demo data."""

from __future__ import annotations

import csv
import io
import json
import threading

import pytest

from impact.errors import DataError
from impact.ingest import check_file
from impact.ingest.write import commit_correction, plan_correction
from impact.storage import edits, versions
from impact.storage.integrity import verify
from impact.storage.store import DataStore, VersionConflict


def _summary(cli, data_dir) -> dict:
    result = cli("summary", "--data-dir", str(data_dir), "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _one_activity(data_dir, offset: int = 100) -> dict:
    return DataStore(data_dir).read_table("activities").slice(offset, 1).to_pylist()[0]


def test_update_undo_history_and_close_on_the_demo_copy(cli, demo_copy, tmp_path):
    row = _one_activity(demo_copy)
    row["beneficiaries"] += 1000
    fix = tmp_path / "fix.csv"
    fix.write_bytes(_csv([row]))
    before_text = cli("summary", "--data-dir", str(demo_copy), "--format", "json").stdout
    before = json.loads(before_text)
    manifest_before = (demo_copy / "manifest.json").read_bytes()

    # Without --update the changed row is a conflict, listed by row, and nothing is written.
    plain = cli("import", str(fix), "--table", "activities", "--data-dir", str(demo_copy))
    assert plain.returncode == 1 and "row 2" in plain.stderr and "--update" in plain.stderr
    assert (demo_copy / "manifest.json").read_bytes() == manifest_before

    # The dry run shows the same diff as the real run, and writes nothing.
    dry = cli("import", str(fix), "--table", "activities", "--data-dir", str(demo_copy),
              "--update", "--dry-run")
    change = f"beneficiaries: {row['beneficiaries'] - 1000} → {row['beneficiaries']}"
    assert dry.returncode == 0 and change in dry.stdout
    assert (demo_copy / "manifest.json").read_bytes() == manifest_before
    done = cli("import", str(fix), "--table", "activities", "--data-dir", str(demo_copy),
               "--update", "--reason", "typo in the sheet")
    assert done.returncode == 0 and change in done.stdout, done.stderr

    after = _summary(cli, demo_copy)
    assert after["beneficiaries"] == before["beneficiaries"] + 1000
    for metric in ("services", "volunteers", "volunteer_minutes", "income_total", "expense_total"):
        assert after[metric] == before[metric], metric

    undo = cli("undo", "--data-dir", str(demo_copy), "--reason", "checking undo")
    assert undo.returncode == 0, undo.stderr
    restored = cli("summary", "--data-dir", str(demo_copy), "--format", "json").stdout
    assert restored == before_text  # byte for byte
    now = json.loads((demo_copy / "manifest.json").read_text())
    then = json.loads(manifest_before)
    assert now["tables"] == then["tables"] and now["rollups"] == then["rollups"]

    history = cli("history", "--data-dir", str(demo_copy), "--json")
    records = json.loads(history.stdout)
    assert [r["kind"] for r in records] == ["demo", "update", "undo"]
    update = records[1]
    assert update["why"] == "typo in the sheet" and update["who"] and update["when"]
    assert update["input"]["name"] == "fix.csv"
    assert update["changes"] == {"activities": {"added": 0, "changed": 1, "removed": 0}}
    assert update["totals_after"]["beneficiaries"] == update["totals_before"]["beneficiaries"] + 1000

    closed = cli("close", "--org", row["org"], "--year", str(row["date"].year),
                 "--reason", "audited", "--data-dir", str(demo_copy))
    assert closed.returncode == 0, closed.stderr
    refused = cli("import", str(fix), "--table", "activities", "--data-dir", str(demo_copy),
                  "--update")
    assert refused.returncode == 1 and "closed period" in refused.stderr
    assert row["activity_id"] in refused.stderr
    assert cli("verify", "--data-dir", str(demo_copy)).returncode == 0


def test_replace_a_year_previews_added_changed_removed_and_totals(demo_copy):
    store = DataStore(demo_copy)
    acts = store.read_table("activities").to_pylist()
    org, year = acts[0]["org"], acts[0]["date"].year
    mine = [r for r in acts if r["org"] == org and r["date"].year == year]
    kept = [dict(r) for r in mine[1:]]
    kept[0]["beneficiaries"] += 5
    extra = dict(mine[0], activity_id="NEW-1")
    payload = _csv(kept + [extra])
    check = check_file("year.csv", payload, "activities", store)
    plan = plan_correction(check, store, "replace")
    assert (plan.count("added"), plan.count("changed"), plan.count("removed")) == (1, 1, 1)
    delta = edits.totals_delta(plan)
    assert delta["beneficiaries"] == f"{extra['beneficiaries'] - mine[0]['beneficiaries'] + 5:+}"
    commit_correction(check, plan, store, "replace", "re-exported the year")
    again = DataStore(demo_copy).read_table("activities").to_pylist()
    assert sorted(r["activity_id"] for r in again if r["org"] == org and r["date"].year == year) \
        == sorted(r["activity_id"] for r in kept + [extra])
    assert len(again) == len(acts)  # others untouched: one removed, one added
    assert verify(store).ok


def test_delete_by_org_project_and_dates_previews_and_needs_confirmation(cli, demo_copy):
    row = _one_activity(demo_copy)
    args = ["delete", "--table", "activities", "--org", row["org"], "--project", row["project"],
            "--from", row["date"].isoformat(), "--to", row["date"].isoformat(),
            "--reason", "entered twice", "--data-dir", str(demo_copy)]
    unconfirmed = cli(*args)
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr
    done = cli(*args, "--yes")
    assert done.returncode == 0 and row["activity_id"] in done.stdout
    ids = DataStore(demo_copy).read_table("activities")["activity_id"].to_pylist()
    assert row["activity_id"] not in ids
    records = versions.history(DataStore(demo_copy))
    assert records[-1]["kind"] == "delete" and records[-1]["changes"]["activities"]["removed"] >= 1


def test_two_writers_from_one_version_one_wins_the_other_is_told_to_try_again(demo_copy):
    store = DataStore(demo_copy)
    row = _one_activity(demo_copy)
    first = edits.plan(store, "activities", remove=lambda t: _ids(t, [row["activity_id"]]))
    other = _one_activity(demo_copy, 200)
    second = edits.plan(store, "activities", remove=lambda t: _ids(t, [other["activity_id"]]))
    results = []

    def run(p):
        try:
            with store.lock():
                results.append(edits.apply(store, p, record={"kind": "delete", "why": "t"}))
        except VersionConflict as exc:
            results.append(exc)
    threads = [threading.Thread(target=run, args=(p,)) for p in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wins = [r for r in results if isinstance(r, dict)]
    losses = [r for r in results if isinstance(r, VersionConflict)]
    assert len(wins) == 1 and len(losses) == 1
    assert "try again" in str(losses[0])
    assert [r["version"] for r in versions.history(store)] == [1, 2]  # none lost


def _ids(table, ids):
    import pyarrow as pa
    import pyarrow.compute as pc
    return pc.is_in(table["activity_id"], value_set=pa.array(ids, pa.string()))


def test_restore_refuses_a_closed_period_and_a_missing_version(demo_copy):
    store = DataStore(demo_copy)
    row = _one_activity(demo_copy)
    edits.apply(store, edits.plan(store, "activities",
                                  remove=lambda t: _ids(t, [row["activity_id"]])),
                record={"kind": "delete", "why": "t"})
    versions.close(store, row["org"], row["date"].year, "signed off")
    with pytest.raises(DataError, match="closed period"):
        versions.undo(store, "", version=versions.last_change(store))
    with pytest.raises(Exception, match="no version 9"):
        versions.restore(store, 9, "")


def test_undo_names_its_version_and_never_takes_back_a_later_change(demo_copy, tmp_path, cli):
    """The version to undo is chosen before the write lock is held (the CLI reads it, the data
    page shows it on its button): a change committed in between is refused, never undone."""

    store = DataStore(demo_copy)
    row = _one_activity(demo_copy)
    remove = lambda t: _ids(t, [row["activity_id"]])  # noqa: E731
    edits.apply(store, edits.plan(store, "activities", remove=remove),
                record={"kind": "delete", "why": "mine"})
    shown = versions.last_change(store)  # what the user saw and asked to undo
    colleague = {**row, "activity_id": "COLLEAGUE-1"}
    fix = tmp_path / "colleague.csv"
    fix.write_bytes(_csv([colleague]))
    assert cli("import", str(fix), "--table", "activities",
               "--data-dir", str(demo_copy)).returncode == 0
    before = store.manifest()
    with pytest.raises(VersionConflict, match=f"version {shown} is no longer the last"):
        versions.undo(store, "", version=shown)
    assert store.manifest() == before  # nothing written: the colleague's import stays
    refused = cli("undo", "--version", str(shown), "--data-dir", str(demo_copy))
    assert refused.returncode != 0 and "no longer the last data change" in refused.stderr
    done = cli("undo", "--version", str(shown + 1), "--data-dir", str(demo_copy))
    assert done.returncode == 0 and f"version {shown + 1} undone" in done.stdout, done.stderr
    assert store.manifest()["commit"]["undid"] == shown + 1
