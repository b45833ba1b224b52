"""The deployment's secrets as the command line reads them, from where the server reads them.

Streamlit reads `~/.streamlit/secrets.toml`, then `.streamlit/secrets.toml` under the
directory it is started in (the later file wins a key); the environment variables fill what
the files leave out (impact.web.auth.settings). `impact link` reads the same, so a link it
prints is signed with the key the server checks.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from impact.access.policy import AccessError

LINK_SECRET_KEY = "link_secret"
LINK_SECRET_ENV = "IMPACT_LINK_SECRET"


def secrets_files(cwd: Path | None = None) -> list[Path]:
    """Streamlit's default `secrets.files`, in the order it reads them."""
    return [Path.home() / ".streamlit" / "secrets.toml",
            Path(cwd or Path.cwd()) / ".streamlit" / "secrets.toml"]


def read_secrets(paths: list[Path] | None = None) -> dict:
    """The merged secrets (later files win); a file that cannot be parsed is named."""
    merged: dict = {}
    for path in secrets_files() if paths is None else paths:
        if not path.is_file():
            continue
        try:
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise AccessError(f"{path}: cannot read it ({exc})") from None
    return merged


def link_secret(secrets: dict, environ=os.environ) -> str | None:
    """The link key: `link_secret` in the secrets, else $IMPACT_LINK_SECRET (the server's
    order)."""
    return secrets.get(LINK_SECRET_KEY) or environ.get(LINK_SECRET_ENV) or None
