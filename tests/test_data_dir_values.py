"""A data directory is a path or a supported URL, never a guess (issue 27 item 2).

`--data-dir file:///srv/data` used to be read as the relative folder `./file:/srv/data`:
`summary` showed zeros, `verify` said "nothing committed yet" and exited 0, `import` wrote
into a phantom folder. config.resolve_data_dir is the one place a value becomes a location."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from impact.cli import main
from impact.config import resolve_data_dir
from impact.errors import UsageError

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("url, path", [
    ("file:///srv/impact/data", "/srv/impact/data"),
    ("file://localhost/srv/impact/data/", "/srv/impact/data"),
    ("FILE:/srv/impact/data", "/srv/impact/data"),
    ("file:///srv/%E6%95%B0%E6%8D%AE", "/srv/数据"),
])
def test_a_file_url_is_its_path(url, path):
    assert resolve_data_dir(url) == path


@pytest.mark.parametrize("value", ["htps://bucket/x", "ftp://host/data", "http://evil.example/",
                                   "file://otherhost/srv/data", "file:///srv/data?x=1"])
def test_an_unsupported_url_is_a_usage_error_not_a_relative_folder(value):
    with pytest.raises(UsageError) as caught:
        resolve_data_dir(value)
    assert "\n" not in str(caught.value) and "data directory" in str(caught.value)


def test_s3_urls_stay_urls():
    assert resolve_data_dir("s3://bucket/prefix/") == "s3://bucket/prefix"


def test_every_command_reads_and_writes_the_directory_a_file_url_names(capsys, demo_copy,
                                                                       tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a phantom ./file: folder would appear here
    url = demo_copy.resolve().as_uri()
    by_path = run(capsys, "summary", "--data-dir", str(demo_copy), "--format", "json")
    by_url = run(capsys, "summary", "--data-dir", url, "--format", "json")
    assert by_url == by_path and json.loads(by_url[1])["beneficiaries"] > 0
    code, out, _ = run(capsys, "verify", "--data-dir", url)
    assert code == 0 and "nothing committed" not in out and str(demo_copy) in out
    version = json.loads((demo_copy / "manifest.json").read_text())["version"]
    code, _, err = run(capsys, "import", str(FIXTURES / "activities_gbk.csv"), "--table",
                       "activities", "--data-dir", url)
    assert code == 0, err
    assert json.loads((demo_copy / "manifest.json").read_text())["version"] == version + 1
    assert not (tmp_path / "file:").exists()


@pytest.mark.parametrize("command", [["summary"], ["verify"], ["history"],
                                     ["import", str(FIXTURES / "activities_gbk.csv"),
                                      "--table", "activities"]])
@pytest.mark.parametrize("value", ["file:///nonexistent/impact-data", "htps://x/y",
                                   "/nonexistent/impact-data"])
def test_a_bad_or_missing_data_directory_is_one_usage_line(capsys, command, value, tmp_path,
                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *command, "--data-dir", value)
    # An unknown scheme is bad usage (2); a directory that is not there is a place the user
    # gave that does not exist (SelectionError, 1), as for a path.
    assert code == (2 if value.startswith("htps") else 1) and out == ""
    assert err.startswith("error: data directory") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # nothing made


def test_a_percent_encoded_nul_in_a_file_url_is_a_usage_error():
    with pytest.raises(UsageError, match="NUL"):
        resolve_data_dir("file:///tmp/a%00b")
