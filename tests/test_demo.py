"""The demo generator is deterministic, and the committed data/ is exactly its output."""

from __future__ import annotations

from pathlib import Path

from impact.demo import write_demo

ROOT = Path(__file__).resolve().parent.parent


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "import_log.jsonl"}


def test_committed_data_equals_generator_output(tmp_path):
    write_demo(str(tmp_path))
    fresh, committed = _tree(tmp_path), _tree(ROOT / "data")
    assert sorted(fresh) == sorted(committed)
    for name in fresh:
        assert fresh[name] == committed[name], f"data/{name} differs: run python -m impact demo --data-dir data"


def test_generator_is_deterministic_and_idempotent(tmp_path):
    write_demo(str(tmp_path / "a"))
    write_demo(str(tmp_path / "b"))
    write_demo(str(tmp_path / "b"))  # writing over an existing demo changes nothing
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_demo_rows_are_valid_records(demo_db):
    """Every record passes the rules an import enforces on user data."""
    bad = demo_db.rows("activity_records", orgs=[], projects=[], areas=[], year_from=None,
                       year_to=None, limit=100_000)
    assert len(bad) > 5000
    for r in bad:
        assert r["sessions"] >= 1 and r["beneficiaries"] >= 0 and r["volunteers"] >= 0
        assert r["volunteer_minutes"] <= 24 * 60 * r["volunteers"]
    ids = [r["activity_id"] for r in bad]
    assert len(ids) == len(set(ids))
