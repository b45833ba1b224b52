"""Readers never return a wrong figure from damaged or hand-edited files: every data file is
checked against the manifest's sha256 before it is read, and the manifest checks itself."""

from __future__ import annotations

import json
import os
import time

import pytest

from impact.errors import DataError
from impact.filters import Filters
from impact.storage.db import Database
from impact.storage.manifest import seal
from impact.storage.store import DataStore
from tests.test_verify import flip_inside_first_page, largest_file


def _one_line(result, code=1) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _manifest(data_dir) -> dict:
    return json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("offset", [4, 200, 1000, -300, -20])
def test_a_flipped_bit_anywhere_is_refused_by_name_not_summed(cli, demo_copy, offset):
    rel = largest_file(demo_copy)
    target = demo_copy / rel
    payload = bytearray(target.read_bytes())
    payload[offset] ^= 0x01
    target.write_bytes(bytes(payload))
    line = _one_line(cli("summary", "--data-dir", str(demo_copy)))
    assert rel.rsplit("/", 1)[1] in line and "sha256 differs" in line


def test_a_file_damaged_after_first_open_is_caught_when_the_manifest_changes(demo_copy):
    db = Database(str(demo_copy))
    before = db.rows("activity_totals", **Filters().params())[0]["beneficiaries"]
    assert before > 0
    flip_inside_first_page(demo_copy / largest_file(demo_copy))
    manifest = _manifest(demo_copy)
    manifest["meta"]["touched"] = "yes"  # a new manifest: every file is checked again
    (demo_copy / "manifest.json").write_bytes(seal(manifest))
    with pytest.raises(DataError, match="sha256 differs"):
        db.refresh()


def test_an_entry_listed_twice_is_refused(cli, demo_copy):
    manifest = _manifest(demo_copy)
    files = manifest["tables"]["finance"]["files"]
    files.append(dict(files[0]))
    (demo_copy / "manifest.json").write_bytes(seal(manifest))  # even with a valid checksum
    line = _one_line(cli("summary", "--data-dir", str(demo_copy)))
    assert "listed twice" in line and files[0]["path"] in line
    checked = cli("verify", "--data-dir", str(demo_copy))
    assert checked.returncode == 1 and "listed twice" in checked.stderr


def test_a_hand_edit_breaks_the_manifest_checksum(cli, demo_copy):
    manifest = _manifest(demo_copy)
    del manifest["tables"]["finance"]["files"][0]
    (demo_copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    line = _one_line(cli("summary", "--data-dir", str(demo_copy)))
    assert "manifest.json" in line and "checksum does not match" in line


def test_an_entry_removed_while_its_file_stays_is_noticed_by_verify(cli, demo_copy):
    manifest = _manifest(demo_copy)
    gone = manifest["tables"]["finance"]["files"].pop(0)
    (demo_copy / "manifest.json").write_bytes(seal(manifest))
    (demo_copy / "history").joinpath("v000001.json").write_bytes(seal(dict(manifest)))
    old = time.time() - 3600  # older than the grace period: not a commit in progress
    os.utime(demo_copy / gone["path"], (old, old))
    result = cli("verify", "--data-dir", str(demo_copy))
    assert result.returncode == 1
    assert gone["path"] in result.stderr and "no kept version references" in result.stderr


@pytest.mark.parametrize("content, fragment", [
    ("{}", 'no "format"'),
    ("[]", "expected a JSON object"),
    ('{"format": 1, "version": 1, "tables": {"activities": {"files": [{"path": '
     '"activities/year=2020/part-0123456789abcdef.parquet", "bytes": 1, "rows": 1}]}}}',
     '"sha256" missing'),
    ('{"format": 1, "version": 1, "tables": {"activities": {"files": [{"path": "/etc/passwd", '
     '"sha256": "' + "0" * 64 + '", "bytes": 1, "rows": 1}]}}}',
     "not a data file of this directory"),
    ('{"format": 1, "version": 1, "tables": {"finance": {"files": [{"path": '
     '"../../etc/part-0000000000000000.parquet", "sha256": "' + "0" * 64 + '", "bytes": 1, '
     '"rows": 1}]}}}', "not a data file of this directory"),
])
def test_a_malformed_manifest_is_one_line_in_summary_and_verify(cli, demo_copy, content,
                                                                 fragment):
    (demo_copy / "manifest.json").write_text(content, encoding="utf-8")
    for command in ("summary", "verify"):
        result = cli(command, "--data-dir", str(demo_copy))
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert fragment in result.stderr and "manifest.json" in result.stderr
    assert "/etc/passwd" not in cli("verify", "--data-dir", str(demo_copy)).stdout


def test_a_data_dir_that_is_a_file_is_one_line(cli, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("hello", encoding="utf-8")
    for command in ("summary", "verify"):
        line = _one_line(cli(command, "--data-dir", str(target)))
        assert str(target) in line and "is a file, not a directory" in line


def test_readers_of_a_store_check_bytes_too(demo_copy):
    """The importer's comparison with stored rows reads files too: same guard."""
    flip_inside_first_page(demo_copy / largest_file(demo_copy))
    store = DataStore(demo_copy)
    with pytest.raises(DataError, match="sha256 differs"):
        for table in ("activities", "finance"):
            store.read_table(table)
