"""Who may see and do what: the access mode and roles (`policy`), staff passwords, signed funder
links, the audit log, read-only data directories (public mode) and small-cell suppression
(`privacy`). Nothing here imports Streamlit; `impact.web.auth` applies it to a session."""
