"""A loopback nginx in front of several dashboard processes, one address for all of them.

One Streamlit process runs every session's script under one GIL; on a 2-core machine a
second process uses the second core. Each browser session must stay on one process (its
websocket, widget state and click-built downloads live in that process's memory), so the
proxy routes by a cookie it sets itself on the first response: the first request of a new
browser goes to a process chosen by a fresh random id, and every later request (the
websocket, uploads, media) carries the cookie and goes to the same one. Open-source nginx
has no `sticky` directive; `hash … consistent` on the cookie does the same.

docs/deployment.md shows the same configuration for a real server; this module writes it for
`impact bench --e2e --processes N` and tests/test_proxy.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

COOKIE = "impact_backend"
START_DEADLINE_S = 30


def nginx_path() -> str | None:
    """The nginx binary (Debian puts it in /usr/sbin, often not on a user's PATH)."""
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def nginx_conf(listen: int, backends: list[int], prefix: str, as_root: bool) -> str:
    """A complete nginx.conf: `listen` on loopback in front of the `backends` ports, every
    file (pid, logs, temp) under `prefix`, in the foreground."""
    servers = "\n".join(f"        server 127.0.0.1:{port};" for port in backends)
    temp = "\n".join(f"    {name}_temp_path {prefix}/{name};"
                     for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# written by impact.bench.proxy
{"user root;" if as_root else ""}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    # Which process served what (tests check that a browser stays on one process).
    log_format routed '$upstream_addr $backend_key $request_uri';
    access_log {prefix}/access.log routed;
{temp}
    # Streamlit's websocket: pass the upgrade through.
    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    # Sticky sessions: the cookie's value, or a fresh random id for a new browser.
    map $cookie_{COOKIE} $backend_key {{ "" $request_id; default $cookie_{COOKIE}; }}
    upstream impact {{
        hash $backend_key consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{listen};
        location / {{
            proxy_pass http://impact;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            # Who the visitor is: without these a loopback backend would take every remote
            # visitor for its local user (impact.access.policy.network_visitor).
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_read_timeout 86400s;
            proxy_buffering off;
            add_header Set-Cookie "{COOKIE}=$backend_key; Path=/; HttpOnly; SameSite=Lax";
        }}
    }}
}}
"""


class Proxy:
    """nginx on 127.0.0.1:`listen` in front of `backends`, in a temporary prefix directory;
    stopped (and its directory removed) by stop()."""

    def __init__(self, listen: int, backends: list[int]):
        binary = nginx_path()
        if binary is None:
            raise RuntimeError("nginx is not installed (Debian package nginx): "
                               "apt-get install nginx")
        self.listen, self.base = listen, f"http://127.0.0.1:{listen}"
        self.prefix = tempfile.mkdtemp(prefix="impact-nginx-")
        conf = Path(self.prefix) / "nginx.conf"
        conf.write_text(nginx_conf(listen, backends, self.prefix, os.geteuid() == 0),
                        encoding="utf-8")
        check = subprocess.run([binary, "-t", "-q", "-p", self.prefix, "-c", str(conf)],
                               capture_output=True, text=True)
        if check.returncode != 0:
            shutil.rmtree(self.prefix, ignore_errors=True)
            raise RuntimeError(f"nginx refused its configuration: {check.stderr.strip()}")
        self.proc = subprocess.Popen([binary, "-p", self.prefix, "-c", str(conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> "Proxy":
        """Wait until a request through the proxy reaches a healthy backend."""
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + self.proc.stderr.read().decode()[-1500:])
            try:
                if urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2).status == 200:
                    return self
            except OSError:
                time.sleep(0.2)  # polling interval of a state check
        self.stop()
        raise RuntimeError(f"nginx did not pass a health check in {START_DEADLINE_S} s")

    def routes(self) -> list[tuple[str, str, str]]:
        """(backend address, sticky key, request URI) per request served so far."""
        log = Path(self.prefix) / "access.log"
        if not log.exists():
            return []
        return [tuple(line.split(" ", 2)) for line in log.read_text().splitlines()
                if line.count(" ") >= 2]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)
