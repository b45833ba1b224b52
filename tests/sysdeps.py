"""System packages some tests need, detected rather than assumed.

A test says what it needs with `@pytest.mark.requires("chromium", "pdftotext")`. Where a
dependency is missing, the test is skipped with a reason naming the Debian package that
provides it; under CI (`CI=true`) the same test fails instead, because CI installs every one of
them and a missing one there is a broken install, not a choice.

Detection uses the same checks as the code under test (impact.report.browser), so a test never
skips while the feature would work, nor runs while the feature would refuse.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest


def _chromium() -> bool:
    from impact.report.browser import MissingDependency, chromium_path
    try:
        chromium_path()
    except MissingDependency:
        return False
    return True


def _cjk_fonts() -> bool:
    from impact.report.browser import MissingDependency, cjk_font
    try:
        cjk_font()
    except MissingDependency:
        return False
    return True


def _java() -> bool:
    return shutil.which("java") is not None


def _nginx() -> bool:
    from impact.bench.proxy import nginx_path
    return nginx_path() is not None


# name -> (is it there?, the Debian package that provides it)
DEPENDENCIES: dict[str, tuple[Callable[[], bool], str]] = {
    "chromium": (_chromium, "chromium"),
    "cjk-fonts": (_cjk_fonts, "fonts-noto-cjk"),
    "pdftotext": (lambda: shutil.which("pdftotext") is not None, "poppler-utils"),
    "pdffonts": (lambda: shutil.which("pdffonts") is not None, "poppler-utils"),
    "java": (_java, "openjdk-17-jre-headless"),
    "nginx": (_nginx, "nginx"),
    "openssl": (lambda: shutil.which("openssl") is not None, "openssl"),
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing(*names: str) -> list[str]:
    """The named dependencies that are not there, each as 'name (Debian package pkg)'."""
    unknown = [n for n in names if n not in DEPENDENCIES]
    if unknown:
        raise KeyError(f"unknown system dependency {unknown}; known: {sorted(DEPENDENCIES)}")
    return [f"{name} (Debian package {DEPENDENCIES[name][1]})"
            for name in names if not DEPENDENCIES[name][0]()]


def check(*names: str) -> None:
    """Skip (or, under CI, fail) the running test when any named dependency is missing."""
    absent = missing(*names)
    if not absent:
        return
    packages = sorted({DEPENDENCIES[n][1] for n in names if not DEPENDENCIES[n][0]()})
    reason = f"needs {', '.join(absent)}: apt-get install {' '.join(packages)}"
    if in_ci():
        pytest.fail(f"{reason} (required under CI=true)", pytrace=False)
    pytest.skip(reason)
