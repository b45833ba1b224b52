"""Impact Dashboard: the logic behind the pages (queries, metrics, charts, import, reports)."""

__version__ = "0.1.0"
