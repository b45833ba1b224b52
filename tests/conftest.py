"""Shared fixtures: the bundled demo dataset, empty and scratch data directories, the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from impact.db import Database

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


@pytest.fixture(scope="session")
def spark():
    """One local Spark session (local[2], few shuffle partitions, no UI) for the whole run:
    the JVM starts once. Without Java the Spark tests skip naming the Debian package, and
    fail under CI=true, where .ci/run installs it."""
    import importlib.util
    import os

    from impact.engines.spark import java_missing, spark_session

    problem = java_missing()
    if importlib.util.find_spec("pyspark") is None:
        problem = "the Spark engine needs pyspark: pip install -r requirements-dev.txt"
    if problem:
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"{problem} (required under CI=true)", pytrace=False)
        pytest.skip(problem)
    session = spark_session()
    yield session
    session.stop()
