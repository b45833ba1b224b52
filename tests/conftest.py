"""Shared fixtures: the bundled demo dataset, empty and scratch data directories, the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from impact.storage.db import Database
from tests import sysdeps

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "data"


@pytest.fixture(scope="session")
def demo_db() -> Database:
    """The committed demo dataset, read-only."""
    return Database(str(DEMO_DIR))


@pytest.fixture
def empty_dir(tmp_path) -> Path:
    path = tmp_path / "empty"
    path.mkdir()
    return path


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    """A scratch copy of the demo dataset that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(DEMO_DIR, target)
    return target


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m impact …` as a user would, capturing its output."""
    return subprocess.run([sys.executable, "-m", "impact", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture
def cli():
    return run_cli


def pytest_runtest_setup(item):
    """`@pytest.mark.requires("chromium", …)`: skip naming the Debian package, or fail under CI."""
    for mark in item.iter_markers("requires"):
        sysdeps.check(*mark.args)
