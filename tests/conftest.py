"""Shared fixtures: the bundled demo dataset, empty and scratch data directories, the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import os

import pytest

from impact.storage.db import Database
from tests import sysdeps

ROOT = Path(__file__).resolve().parent.parent
# The background pre-warm (impact/web/prewarm.py) is a server optimisation; tests call it
# directly, and every other app they start would otherwise warm up beside the run under test.
os.environ.setdefault("IMPACT_PREWARM", "0")
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


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (local[2], few shuffle partitions, no UI) for the whole run:
    the JVM starts once. Without Java the Spark tests skip naming the Debian package, and
    fail under CI=true, where .ci/run installs it."""
    import importlib.util

    sysdeps.check("java")  # skips naming openjdk-17-jre-headless; fails under CI=true
    if importlib.util.find_spec("pyspark") is None:
        reason = "the Spark engine needs pyspark: pip install -r requirements-dev.txt"
        if sysdeps.in_ci():
            pytest.fail(f"{reason} (required under CI=true)", pytrace=False)
        pytest.skip(reason)
    from impact.engines.spark import spark_session

    session = spark_session()
    yield session
    session.stop()
