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


def test_a_first_commit_in_progress_is_not_a_lost_manifest(demo_copy):
    """A first commit writes its files, then history/, then manifest.json, under the write
    lock. A reader in between (another process: the lock is held) sees an empty directory,
    never "manifest missing"; once nobody holds the lock, the same state is a lost manifest.
    (Two imports at once failed on this in a fresh-clone run: the second writer's check read
    the first writer's history/ before its manifest.)"""
    import fcntl
    import os
    import subprocess
    import sys

    (demo_copy / "manifest.json").unlink()
    assert (demo_copy / "history").is_dir()
    with pytest.raises(DataError, match="missing, though history/ holds"):
        DataStore(demo_copy).snapshot()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDONLY);"
         " fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); sys.stdin.read()",
         str(demo_copy)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"  # waits for the state, not a time
        assert DataStore(demo_copy).snapshot()[1] is None
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    fd = os.open(demo_copy, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released: nobody writes any more
    os.close(fd)
    with pytest.raises(DataError, match="missing, though history/ holds"):
        DataStore(demo_copy).snapshot()
