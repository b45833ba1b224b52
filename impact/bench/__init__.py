"""The performance benchmark behind `python -m impact bench` (issue 6).

generate  synthetic data at scale, written in the store's own layout
pages     what each dashboard page computes, through the project's own code path
floor     raw DuckDB scans of exactly the columns a page's queries read
baseline  the naive pandas way (read the Parquet, group by per interaction)
runner    the measurements, each in its own subprocess, and the report table
"""
