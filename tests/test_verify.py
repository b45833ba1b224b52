"""`python -m impact verify`: silent corruption of a data file is caught and the file named."""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq

from impact.storage.integrity import verify
from impact.storage.manifest import seal
from impact.storage.store import DataStore
from tests.test_import_cli import FIXTURES


def largest_file(data_dir) -> str:
    files = [f for t in ("activities", "finance") for f in DataStore(data_dir).files(t)]
    return max(files, key=lambda f: f.bytes).path


def flip_inside_first_page(path) -> None:
    """Flip bytes in the middle of the first data page of the first column chunk: the file
    still parses, which is exactly the corruption no reader would notice by itself."""
    raw = bytearray(path.read_bytes())
    column = pq.ParquetFile(io.BytesIO(bytes(raw))).metadata.row_group(0).column(1)
    start = column.data_page_offset
    middle = start + column.total_compressed_size // 2
    for i in range(middle, middle + 3):
        raw[i] ^= 0xFF
    path.write_bytes(bytes(raw))


def test_intact_demo_data_verifies(cli):
    # 17,637 rows in 57 files: issue 15 added a target (千人助学计划 expense_total), the grants,
    # their projects and deliverables, and the budgets.
    result = cli("verify")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("verify: 57 files, 17637 rows match the manifest")


def test_flipped_bytes_in_a_page_are_caught_and_the_file_named(cli, demo_copy):
    rel = largest_file(demo_copy)
    flip_inside_first_page(demo_copy / rel)
    result = cli("verify", "--data-dir", str(demo_copy))
    assert result.returncode == 1
    first, *_, last = result.stderr.splitlines()
    assert first.startswith(f"{demo_copy / rel}: sha256 differs from the manifest")
    assert last == "verify: 1 of 57 files do not match the manifest"


def test_a_changed_total_is_caught_even_with_a_matching_checksum(demo_copy):
    """The manifest's own record can be wrong too (edited, or from a buggy writer)."""
    manifest = json.loads((demo_copy / "manifest.json").read_text())
    entry = manifest["tables"]["finance"]["files"][0]
    entry["totals"]["income"] = "1.00"
    (demo_copy / "manifest.json").write_text(json.dumps(manifest))
    # A hand edit breaks the manifest's own checksum …
    [problem] = verify(DataStore(demo_copy)).problems
    assert problem.code == "manifest" and "checksum does not match" in problem.found
    # … and one re-sealed with a fresh checksum is still caught by the file's totals.
    (demo_copy / "manifest.json").write_bytes(seal(manifest))
    [bad] = verify(DataStore(demo_copy)).bad_files
    assert bad.path == entry["path"]
    [problem] = bad.problems
    assert (problem.code, problem.expected) == ("totals", "income=1.00")


def test_missing_and_truncated_files_are_named(cli, demo_copy):
    files = DataStore(demo_copy).files("activities")
    (demo_copy / files[0].path).unlink()
    target = demo_copy / files[1].path
    target.write_bytes(target.read_bytes()[:100])
    result = cli("verify", "--data-dir", str(demo_copy))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{demo_copy / files[0].path}: file listed in the manifest is missing"
    assert lines[1].startswith(f"{demo_copy / files[1].path}: size differs from the manifest "
                               f"(expected {files[1].bytes} bytes, found 100)")
    assert "not readable as Parquet" in lines[1]


def test_empty_directory_verifies_but_files_without_manifest_do_not(cli, empty_dir, demo_copy):
    empty = cli("verify", "--data-dir", str(empty_dir))
    assert empty.returncode == 0
    assert empty.stdout.strip() == f"verify: nothing committed yet in {empty_dir}"
    (demo_copy / "manifest.json").unlink()
    orphaned = cli("verify", "--data-dir", str(demo_copy))
    assert orphaned.returncode == 1
    assert "manifest.json: missing, though history/ holds committed versions" in orphaned.stderr
    # Without a history either, nothing vouches for the files at all.
    import shutil
    shutil.rmtree(demo_copy / "history")
    bare = cli("verify", "--data-dir", str(demo_copy))
    assert bare.returncode == 1
    assert "Parquet files but no manifest.json" in bare.stderr


def test_a_corrupted_rollup_file_is_caught(cli, tmp_path):
    """The monthly rollup answers most dashboard queries: its corruption matters as much."""
    data = tmp_path / "d"
    data.mkdir()
    assert cli("import", str(FIXTURES / "activities_gbk.csv"), "--table", "activities",
               "--data-dir", str(data)).returncode == 0
    ok = cli("verify", "--data-dir", str(data))
    assert ok.stdout.startswith("verify: 4 files, 5 rows match the manifest (version 1)")
    [rollup_file] = [e["path"] for e in DataStore(data).manifest()["rollups"]["activity_months"]
                     ["files"] if "year=2021" in e["path"]]
    flip_inside_first_page(data / rollup_file)
    bad = cli("verify", "--data-dir", str(data))
    assert bad.returncode == 1
    assert bad.stderr.startswith(f"{data / rollup_file}: sha256 differs from the manifest")
