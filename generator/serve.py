"""`yunzhao serve`: a live preview for staff editing content.

Builds the site into a preview folder (a temporary one, so the real output/ is untouched
unless --out names it), serves it under the sub-path of `base_url` as the real host will,
watches content/, the site's templates and the themes, and rebuilds on every saved change.
Open pages learn about a rebuild through Server-Sent Events and reload when their own file
(or a shared asset) changed. A build with content errors publishes nothing — the build's
staging swap keeps the last good site in place — and every open page shows the errors as an
overlay with file:line and the message until the content is fixed.

The live-reload script and the overlay are added to pages as they are served; the files in
the preview folder are exactly what `yunzhao build` writes.

Incremental: each rebuild re-checks and re-renders the whole site (under a second for a
bureau's site, see the build's own timing) and then compares every file with the previous
build, so only pages whose bytes changed are reloaded.
"""

from __future__ import annotations

import hashlib
import html
import json
import mimetypes
import posixpath
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .build import build
from .content.yamlpos import decode, parse
from .errors import BuildFailed
from .output import OutputError
from .theme import shipped_themes_dir

SPECIAL = "__yunzhao__/"          # the preview's own URLs, under the site's sub-path
KEEPALIVE_SECONDS = 15            # a comment line on idle event streams, so dead clients are noticed

LIVE_JS = """\
// yunzhao serve: reloads this page when the site is rebuilt, shows content errors.
(function () {
  "use strict";
  var script = document.currentScript;
  var source = new EventSource(script.getAttribute("data-events"));
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    var old = document.getElementById("yunzhao-overlay");
    if (old) old.parentNode.removeChild(old);
    if (state.overlay) document.body.insertAdjacentHTML("beforeend", state.overlay);
    if (state.reload) { source.close(); location.reload(); }
  });
})();
"""


NOT_BUILT = (b'<!doctype html><html><head><meta charset="utf-8"><title>yunzhao serve</title></head><body>'
             b"<p>The site has not been built yet: the content has errors. Fix them and save; "
             b"this page updates by itself.</p></body></html>")


@dataclass
class BuildOutcome:
    seconds: float
    pages: int = 0
    changed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rendered: int | None = None     # pages rendered again by an incremental build (None: all)


class Preview:
    """The preview folder and what the server tells pages about it; shared by all threads."""

    def __init__(self, root: Path, out: Path):
        self.root = root
        self.out = out
        self.condition = threading.Condition()
        self.generation = 0          # every build attempt, good or bad; wakes the event streams
        self.version = 0             # every build that changed a file
        self.history: list[tuple[int, frozenset[str]]] = []   # (version, files it changed)
        self.digests: dict[str, str] = {}
        self.problems: list[str] = []
        self.stopping = False

    def rebuild(self) -> BuildOutcome:
        started = time.monotonic()
        try:
            result = build(self.root, self.out)
        except BuildFailed as exc:
            return self._failed([str(p) for p in exc.problems.sorted_errors()], started)
        except OutputError as exc:
            return self._failed([f"output folder: {exc}"], started)
        except Exception as exc:   # a bug must not stop the preview; show it like a content error
            return self._failed([f"yunzhao: internal error: {type(exc).__name__}: {exc}"], started)
        if result.changed is not None and self.digests:
            # An incremental build says which files it wrote or deleted: hash only those.
            digests = dict(self.digests)
            for rel in result.changed:
                path = self.out / rel
                if path.is_file():
                    digests[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
                else:
                    digests.pop(rel, None)
        else:
            digests = _digests(self.out)
        changed = sorted(p for p in digests.keys() | self.digests.keys() if digests.get(p) != self.digests.get(p))
        with self.condition:
            if changed:
                self.version += 1
                self.history.append((self.version, frozenset(changed)))
            self.digests = digests
            self.problems = []
            self.generation += 1
            self.condition.notify_all()
        return BuildOutcome(time.monotonic() - started, sum(result.pages.values()), changed,
                            rendered=result.rendered)

    def _failed(self, problems: list[str], started: float) -> BuildOutcome:
        with self.condition:
            self.problems = problems
            self.generation += 1
            self.condition.notify_all()
        return BuildOutcome(time.monotonic() - started, problems=problems)

    def state_for(self, version: int, page: str) -> dict:
        """What a page served at `version` should do now: reload? show errors?"""
        changed: set[str] = set()
        for number, files in self.history:
            if number > version:
                changed |= files
        # A changed style sheet or script reloads every page; a moved search index does not
        # (the search page, which names it, changed too).
        reload = page in changed or page not in self.digests or any(f.startswith("assets/") for f in changed)
        return {"version": self.version, "reload": bool(changed) and reload,
                "overlay": overlay_html(self.problems, bool(self.digests))}

    def stop(self) -> None:
        with self.condition:
            self.stopping = True
            self.condition.notify_all()


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def overlay_html(problems: list[str], built: bool = True) -> str:
    if not problems:
        return ""
    shown = ("This page is the last good build; nothing new was published." if built
             else "Nothing could be built yet.")
    items = "".join(f"<li style=\"margin:0 0 .6em\">{html.escape(p)}</li>" for p in problems)
    count = f"{len(problems)} error{'s' if len(problems) != 1 else ''}"
    return (
        '<div id="yunzhao-overlay" role="alert" style="position:fixed;inset:0;z-index:2147483647;'
        "overflow:auto;background:rgba(24,24,24,.94);color:#fff;padding:24px;"
        'font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;text-align:left">'
        '<button type="button" onclick="this.parentNode.remove()" aria-label="close" '
        'style="float:right;font-size:20px;background:none;color:#fff;border:0;cursor:pointer">×</button>'
        f'<p style="font:bold 16px/1.4 sans-serif;margin:0 0 1em;color:#ffb4ab">yunzhao: {count} in the '
        f"content. {shown}</p>"
        f'<ol style="padding-left:1.5em;margin:0 0 1em">{items}</ol>'
        '<p style="font:14px sans-serif;margin:0;color:#ccc">Fix the file and save it: '
        "the page updates by itself.</p></div>")


def inject(page: bytes, preview: Preview, page_path: str, prefix: str) -> bytes:
    """The live-reload script (and the error overlay, if any) at the end of a served page."""
    events = f"{prefix}{SPECIAL}events?v={preview.version}&page={quote(page_path)}"
    snippet = (overlay_html(preview.problems, bool(preview.digests)) +
               f'<script src="{prefix}{SPECIAL}live.js" data-events="{html.escape(events)}"></script>')
    data = snippet.encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page[:at] + data + page[at:] if at >= 0 else page + data


def sub_path(base_url: str) -> str:
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, preview: Preview, prefix: str):
        super().__init__(address, PreviewHandler)
        self.preview = preview
        self.prefix = prefix


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "yunzhao-serve"

    def log_message(self, format, *args):   # staff need the rebuild messages, not an access log
        pass

    def do_HEAD(self):
        self.handle_get(head=True)

    def do_GET(self):
        self.handle_get(head=False)

    def handle_get(self, head: bool):
        prefix = self.server.prefix
        url = urlsplit(self.path)
        path = unquote(url.path)
        if not path.startswith(prefix):
            if path in ("/", prefix.rstrip("/")):
                return self.redirect(prefix)
            return self.send_text(HTTPStatus.NOT_FOUND, f"This preview serves the site under {prefix}\n", head)
        rel = path[len(prefix):]
        if rel == SPECIAL + "live.js":
            return self.send_bytes(HTTPStatus.OK, LIVE_JS.encode(), "text/javascript; charset=utf-8", head)
        if rel == SPECIAL + "events":
            query = parse_qs(url.query)
            version = int(query.get("v", ["0"])[0]) if query.get("v", ["0"])[0].isdigit() else 0
            return self.events(version, query.get("page", [""])[0])
        self.send_file(rel, head)

    def send_file(self, rel: str, head: bool):
        out = self.server.preview.out
        if any(part in ("..", "") for part in rel.split("/")[:-1]) or "\\" in rel:
            return self.send_text(HTTPStatus.NOT_FOUND, "not found\n", head)
        target = out / rel if rel else out
        if target.is_dir():
            if rel and not rel.endswith("/"):
                return self.redirect(self.server.prefix + rel + "/")
            target, rel = target / "index.html", posixpath.join(rel, "index.html")
        status = HTTPStatus.OK
        if not target.is_file() or not target.resolve().is_relative_to(out.resolve()):
            status, target, rel = HTTPStatus.NOT_FOUND, out / "404.html", "404.html"
            if not target.is_file():     # no good build yet: a page that shows the errors and waits
                page = inject(NOT_BUILT, self.server.preview, rel, self.server.prefix)
                return self.send_bytes(status, page, "text/html; charset=utf-8", head)
        data = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = inject(data, self.server.preview, rel, self.server.prefix)
        if kind.startswith("text/") or kind in ("application/javascript", "application/xml", "image/svg+xml"):
            kind += "; charset=utf-8"
        self.send_bytes(status, data, kind, head)

    def events(self, version: int, page: str):
        preview = self.server.preview
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                with preview.condition:
                    preview.condition.wait_for(lambda: preview.generation != seen or preview.stopping,
                                               timeout=KEEPALIVE_SECONDS)
                    if preview.stopping:
                        return
                    if preview.generation == seen:
                        message = b": still here\n\n"
                    else:
                        seen = preview.generation
                        state = preview.state_for(version, page)
                        if not state["reload"]:
                            version = state["version"]      # the page is up to date with this build
                        message = f"event: state\ndata: {json.dumps(state, ensure_ascii=False)}\n\n".encode()
                self.wfile.write(message)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            return

    def redirect(self, location: str):
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_text(self, status, text: str, head: bool):
        self.send_bytes(status, text.encode(), "text/plain; charset=utf-8", head)

    def send_bytes(self, status, data: bytes, kind: str, head: bool):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)


def lan_address() -> str | None:
    """This computer's address on the local network (what a phone on the same Wi-Fi uses)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.254.254.254", 1))     # UDP connect sends nothing; it picks the route
            address = probe.getsockname()[0]
            if not address.startswith("127."):
                return address
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            address = info[4][0]
            if not address.startswith("127."):
                return address
    except OSError:
        pass
    return None


def watched_folders(root: Path) -> list[Path]:
    candidates = [root / "content", root / "templates", root / "themes", shipped_themes_dir()]
    return [p for p in candidates if p.is_dir()]


@dataclass
class Session:
    """A running preview: the server thread, the watcher thread and the folder they use."""
    preview: Preview
    server: PreviewServer
    temporary: Path | None
    threads: list[threading.Thread]
    stop_watching: threading.Event

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def close(self) -> None:
        self.stop_watching.set()
        self.preview.stop()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=10)
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)


def start(root: Path, out: Path | None, bind: str, port: int, on_build) -> Session:
    """Build once, start serving and watching; `on_build(outcome, changes)` reports each build."""
    temporary = None
    if out is None:
        temporary = Path(tempfile.mkdtemp(prefix="yunzhao-preview-"))
        out = temporary / "site"
    preview = Preview(root.absolute(), out.absolute())
    try:
        server = _bind(bind, port, preview, sub_path(_base_url(root)))
        try:
            on_build(preview.rebuild(), [])
        except BaseException:
            server.server_close()
            raise
    except BaseException:          # a port in use, Ctrl+C during the first build: leave nothing behind
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
        raise
    stop_watching = threading.Event()
    serving = threading.Thread(target=server.serve_forever, name="yunzhao-serve", daemon=True)
    watching = threading.Thread(target=_watch, args=(preview, stop_watching, on_build), name="yunzhao-watch",
                                daemon=True)
    serving.start()
    watching.start()
    return Session(preview, server, temporary, [serving, watching], stop_watching)


def _base_url(root: Path) -> str:
    """The site's base_url as written in site.yaml, even while the content has errors."""
    try:
        data = parse(decode((root / "content" / "site.yaml").read_bytes()))
        value = data.get("base_url") if isinstance(data, dict) else None
        return value if isinstance(value, str) else "/"
    except Exception:   # an unreadable site.yaml is reported by the build; serve from /
        return "/"


def _bind(bind: str, port: int, preview: Preview, prefix: str) -> PreviewServer:
    """Bind `port`; when the default port is taken, the next free one (and say so by its URL)."""
    attempts = [port] if port == 0 else list(range(port, port + 20))
    last_error = None
    for candidate in attempts:
        try:
            return PreviewServer((bind, candidate), preview, prefix)
        except OSError as exc:
            last_error = exc
    raise OSError(f"cannot listen on {bind} ports {attempts[0]}-{attempts[-1]}: {last_error}")


def _watch(preview: Preview, stop: threading.Event, on_build) -> None:
    import watchfiles
    folders = watched_folders(preview.root)
    out = preview.out.resolve()
    editor_files = watchfiles.DefaultFilter()     # ignores swap files, backups, .git, __pycache__

    def wanted(change, path: str) -> bool:
        return editor_files(change, path) and not Path(path).resolve().is_relative_to(out)

    caught_up = False
    for changes in watchfiles.watch(*folders, watch_filter=wanted, stop_event=stop, debounce=800, step=80,
                                    raise_interrupt=False, rust_timeout=500, yield_on_timeout=True):
        if not changes:
            if not caught_up:
                # The watcher is ready only now (its first quiet moment): a file saved between the
                # first build and this moment was not seen as a change. A build that finds nothing
                # changed takes a few milliseconds and is not reported.
                caught_up = True
                outcome = preview.rebuild()
                if outcome.changed or outcome.problems:
                    on_build(outcome, ["(saved while the preview started)"])
            continue
        changed = sorted({_shown(preview.root, Path(path)) for _, path in changes})
        on_build(preview.rebuild(), changed)


def _shown(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
