"""Serve a built output/ folder under a sub-path, the way a bureau hosts it.

nginx (Debian's, run as a subprocess with its own config on a free loopback port) is the real
thing: its redirects, MIME types and 404 handling are what visitors get. Python's http.server
stands in only where nginx is absent and CI is not "true" (CI installs nginx, and a gate must
not pass against a stand-in there).

    with serve(Path("output"), "/invest/jlp/") as server:
        urllib.request.urlopen(server.url + "zh/")

Used by the tests and by quality/lighthouse.py, so it does not depend on pytest.
"""

from __future__ import annotations

import functools
import http.server
import os
import posixpath
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SUB_PATH = "/invest/jlp/"

# Our own MIME map, so the config needs nothing from /etc/nginx.
MIME_TYPES = {
    "text/html": "html htm", "text/css": "css", "text/javascript": "js mjs",
    "text/plain": "txt", "application/xml": "xml", "application/json": "json",
    "application/pdf": "pdf", "image/svg+xml": "svg", "image/png": "png", "image/jpeg": "jpg jpeg",
    "image/webp": "webp", "image/avif": "avif", "image/gif": "gif", "image/x-icon": "ico",
    "font/woff2": "woff2",
}

NGINX_CONF = """\
daemon off;
# One process that stays the user who started it: no switch to "nobody", who could not read
# a test's temporary folder.
master_process off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    types {{ {types} }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/css text/javascript text/plain application/xml application/json image/svg+xml;
    access_log {tmp}/access.log;
    # Compressed text, as hosting normally serves it (Debian's own nginx.conf turns gzip on).
    gzip on;
    gzip_types text/css text/javascript text/plain application/xml application/json image/svg+xml;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        absolute_redirect off;
        location / {{ return 404; }}       # nothing outside the sub-path exists
        location {prefix} {{
            alias {folder}/;
            {error_page}
        }}
    }}
}}
"""


class NoServer(RuntimeError):
    """No web server could be started (nginx absent where no stand-in is allowed, or failing)."""


@dataclass
class Served:
    url: str           # http://127.0.0.1:PORT/invest/jlp/ — the site's root, ends with "/"
    origin: str        # http://127.0.0.1:PORT
    prefix: str        # /invest/jlp/
    kind: str          # "nginx" or "python"


def nginx_path() -> str | None:
    """nginx lives in /usr/sbin, which is not on every user's PATH."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def fallback_allowed() -> bool:
    return os.environ.get("CI") != "true"


@contextmanager
def serve(folder: Path, prefix: str = SUB_PATH, fallback: bool | None = None) -> Iterator[Served]:
    """Serve `folder` at http://127.0.0.1:<free port><prefix> until the block ends."""
    assert prefix.startswith("/") and prefix.endswith("/"), prefix
    folder = Path(folder).resolve()
    nginx = nginx_path()
    if nginx:
        with _nginx(nginx, folder, prefix) as served:
            yield served
        return
    if not (fallback_allowed() if fallback is None else fallback):
        raise NoServer("nginx is missing (Debian package nginx); CI needs the real server")
    with _python(folder, prefix) as served:
        yield served


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def _nginx(nginx: str, folder: Path, prefix: str) -> Iterator[Served]:
    with tempfile.TemporaryDirectory(prefix="yunzhao-nginx-") as tmp:
        # The site's own 404 page, as README's hosting section advises.
        error_page = f"error_page 404 {prefix}404.html;" if (folder / "404.html").is_file() else ""
        types = " ".join(f"{mime} {exts};" for mime, exts in MIME_TYPES.items())
        for attempt in range(3):      # another process may take the free port before nginx does
            port = _free_port()
            conf = Path(tmp) / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, prefix=prefix, folder=folder,
                                              types=types, error_page=error_page))
            process = subprocess.Popen([nginx, "-p", tmp, "-e", f"{tmp}/error.log", "-c", str(conf)],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 10
            while process.poll() is None and not _listening(port) and time.monotonic() < deadline:
                time.sleep(0.02)
            if process.poll() is None and _listening(port):
                break
            process.kill()
            _, stderr = process.communicate()
            log = (Path(tmp) / "error.log").read_text(errors="replace") if (Path(tmp) / "error.log").exists() else ""
            if attempt == 2:
                raise NoServer(f"nginx did not start: {stderr}{log}")
        try:
            origin = f"http://127.0.0.1:{port}"
            yield Served(origin + prefix, origin, prefix, "nginx")
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stderr:
                process.stderr.close()


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """http.server that answers only under the prefix, like the nginx location above."""

    prefix = "/"

    def translate_path(self, path):
        clean = posixpath.normpath(path.split("?", 1)[0].split("#", 1)[0]) + "/"
        if not clean.startswith(self.prefix):
            return os.path.join(self.directory, ".outside-the-sub-path")    # does not exist: 404
        return super().translate_path("/" + path[len(self.prefix):])

    def list_directory(self, path):
        self.send_error(403)      # nginx lists no folders either

    def log_message(self, *args):
        pass


@contextmanager
def _python(folder: Path, prefix: str) -> Iterator[Served]:
    handler = type("Handler", (_SubPathHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        origin = f"http://127.0.0.1:{server.server_port}"
        yield Served(origin + prefix, origin, prefix, "python")
    finally:
        server.shutdown()
        server.server_close()
