"""One module per `python -m impact` command."""
