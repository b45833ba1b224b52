"""Page models: one module per dashboard page, each with a function
`page(db, filters, lang, …) -> PageModel` that returns every KPI, chart and table the page
shows, translated and formatted. Pure Python (no Streamlit), so the CLI, the benchmark, the
report and the tests use the same code path as the pages, which only lay the model out."""
