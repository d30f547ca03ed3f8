"""The no-change fast path: a build whose inputs and output are as the last build left them
does nothing.

Inputs are every file the build reads — content/, the site's own templates and themes, the
shipped themes, yunzhao's own code — plus the options. If their fingerprint equals the one the
last successful build stored, and output/ still holds exactly the files that build wrote
(same names, sizes and modification times), the output would be byte-identical, so it is kept.
The record lives in `.yunzhao-cache/` beside content/, never in output/.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

from . import __version__
from .theme import shipped_themes_dir

PACKAGE = Path(__file__).resolve().parent
RECORD = "last-build.json"


def _hash_tree(digest, folder: Path) -> None:
    if not folder.is_dir():
        return
    for base, dirs, files in os.walk(folder):
        dirs.sort()
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        for name in sorted(files):
            path = Path(base, name)
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")


def _system_fonts() -> bytes:
    """The font files fontconfig offers: posters and PDFs are drawn with them."""
    try:
        listed = subprocess.run(["fc-list", "--format", "%{file}\\n"], capture_output=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return b""
    return b"\n".join(sorted(listed.splitlines()))


def fingerprint(root: Path, out: Path, options: dict) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps([__version__, str(out), options], sort_keys=True).encode())
    digest.update(_system_fonts())
    for folder in (root / "content", root / "templates", root / "themes", shipped_themes_dir(), PACKAGE):
        digest.update(b"\1" + folder.as_posix().encode())
        _hash_tree(digest, folder)
    return digest.hexdigest()


def listing(out: Path) -> str:
    """Names, sizes and modification times of every file in output/: cheap, and changed by any edit."""
    digest = hashlib.sha256()
    for base, dirs, files in os.walk(out):
        dirs.sort()
        for name in sorted(files):
            info = os.stat(os.path.join(base, name))
            digest.update(f"{os.path.relpath(os.path.join(base, name), out)}\0{info.st_size}\0"
                          f"{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _record_path(root: Path) -> Path:
    return root / ".yunzhao-cache" / RECORD


def unchanged(root: Path, out: Path, print_: str) -> dict | None:
    """The stored summary of the last build if nothing changed since, else None."""
    try:
        record = json.loads(_record_path(root).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("fingerprint") != print_ or not out.is_dir():
        return None
    if record.get("listing") != listing(out):
        return None
    return record.get("summary")


def remember(root: Path, out: Path, print_: str, summary: dict) -> None:
    path = _record_path(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"fingerprint": print_, "listing": listing(out), "summary": summary},
                                  ensure_ascii=False, sort_keys=True), "utf-8")
        os.replace(tmp, path)
    except OSError:
        pass      # a read-only site folder only loses the fast path
