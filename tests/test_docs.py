"""Docs as tests: the documentation must describe what the code does."""

from __future__ import annotations

import re
from pathlib import Path

from impact.storage.db import query_names
from impact.storage.schema import TABLES, markdown_table

ROOT = Path(__file__).resolve().parent.parent


def _doc(name: str) -> str:
    return (ROOT / "docs" / name).read_text(encoding="utf-8")


def test_data_model_doc_matches_schema():
    doc = _doc("data-model.md")
    for table in TABLES.values():
        assert markdown_table(table) in doc, f"docs/data-model.md is out of date for {table.name}"


def test_every_metric_is_defined_in_metrics_doc():
    doc = _doc("metrics.md")
    for metric in ("services", "beneficiaries", "volunteers", "volunteer_minutes",
                   "volunteer_hours", "income_total", "expense_total", "surplus",
                   "cost_per_beneficiary", "funding_concentration", "hhi", "yoy", "cagr",
                   "volunteer_value", "achievement"):
        assert f"`{metric}`" in doc, f"docs/metrics.md does not define {metric}"


def test_every_query_is_listed_in_architecture_doc():
    doc = _doc("architecture.md")
    for name in query_names():
        assert f"`{name}`" in doc, f"docs/architecture.md does not list query {name}"


def test_readme_quick_start_is_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start.*?```(?:bash|sh)?\n(.*?)```", readme, re.S)
    assert block, "README needs a Quick start code block"
    commands = [line for line in block.group(1).splitlines() if line.strip()
                and not line.lstrip().startswith("#")]
    assert len(commands) == 2
    assert "streamlit run dashboard.py" in commands[0]
    assert "pytest" in commands[1]
