"""In public mode every writing command refuses the same way, before touching a file
(issue 27 item 4): `import` did, but `undo`, `delete`, `close`, `reopen`, `restore` and `gc`
wrote."""

from __future__ import annotations

import pytest

from impact.cli import main


def snapshot(directory):
    return {p.relative_to(directory): p.read_bytes() for p in directory.rglob("*")
            if p.is_file()}


@pytest.mark.parametrize("command", [
    ["undo"], ["delete", "--table", "activities", "--id", "X", "--reason", "r"],
    ["close", "--org", "珠海协作者", "--year", "2020", "--reason", "r"],
    ["reopen", "--org", "珠海协作者", "--year", "2020", "--reason", "r"],
    ["restore", "1"], ["gc"]])
def test_every_writing_command_refuses_in_public_mode(demo_copy, capsys, monkeypatch, command):
    monkeypatch.setenv("IMPACT_MODE", "public")
    before = snapshot(demo_copy)
    code = main([*command, "--data-dir", str(demo_copy)])
    err = capsys.readouterr().err
    assert code == 1
    assert err == (f"error: {demo_copy}: the data is open read-only (public mode); "
                   f"`{command[0]}` wrote nothing\n")
    assert snapshot(demo_copy) == before
