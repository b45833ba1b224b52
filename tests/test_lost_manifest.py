"""Losing manifest.json (and history/) must not double figures (issue 27 item 3).

Readers used to sum every Parquet file still on disk when there was no manifest: after a
correction, the old and new versions of a year both counted (250 person-times for a record
of 150). Without a manifest a reader now refuses in one line naming the directory."""

from __future__ import annotations

import shutil

import pytest

from impact.cli import main
from impact.errors import DataError
from impact.storage.db import Database
from impact.storage.store import DataStore


@pytest.fixture
def orphaned(demo_copy):
    (demo_copy / "manifest.json").unlink()
    shutil.rmtree(demo_copy / "history")
    return demo_copy


@pytest.mark.parametrize("command", [["summary"], ["summary", "--format", "json"], ["history"],
                                     ["diff", "1", "2"], ["undo"], ["gc"],
                                     ["delete", "--table", "activities", "--id", "X",
                                      "--reason", "r"]])
def test_cli_readers_and_writers_refuse_in_one_line(orphaned, capsys, command):
    code = main([*command, "--data-dir", str(orphaned)])
    out = capsys.readouterr()
    assert code == 1 and out.out == ""
    assert out.err.startswith(f"error: {orphaned / 'manifest.json'}: missing, though ")
    assert out.err.count("\n") == 1


def test_the_query_runner_refuses_instead_of_summing_every_version(orphaned):
    with pytest.raises(DataError, match="nothing says which are current"):
        Database(str(orphaned)).rows("activity_totals", orgs=[], projects=[], areas=[],
                                     year_from=None, year_to=None)
    with pytest.raises(DataError, match="manifest.json: missing"):
        DataStore(orphaned).read_table("activities")


def test_an_empty_directory_is_still_nothing_committed(tmp_path, capsys):
    assert main(["verify", "--data-dir", str(tmp_path)]) == 0
    assert "nothing committed yet" in capsys.readouterr().out
