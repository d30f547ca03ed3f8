"""Compiled theme templates kept between builds, in the user's cache.

Compiling the templates a page kind uses takes 10–60 ms each time a build starts: most of an
incremental build that renders a few dozen pages. Jinja can keep the compiled code; we keep it
in `~/.cache/yunzhao/templates/`, not in the site's `.yunzhao-cache/`, because compiled code is
run as it is loaded: a site folder received from someone else must not bring code with it.

An entry is found by the template's name and file, yunzhao's code (our code generator changes
what a template compiles to) and Python's version; Jinja itself then checks it against the
template's source, so an edited template is compiled again. Every theme edit and yunzhao version
leaves entries behind: those no build has loaded for KEEP_SECONDS are removed once per build,
when it first compiles a template (a loaded entry's modification time is brought up to date).
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import jinja2

from .content.file_cache import code_stamp

KEEP_SECONDS = 30 * 24 * 3600


def user_cache() -> Path:
    """The per-user cache folder (`$XDG_CACHE_HOME/yunzhao`, else `~/.cache/yunzhao`)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "yunzhao"


class TemplateCodeCache(jinja2.BytecodeCache):
    def __init__(self, folder: Path):
        self.folder = folder
        self.pruned = False      # once per process: a theme edit compiles a dozen templates

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(f"{code_stamp()}\0{name}\0{filename}".encode()).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = self.folder / bucket.key
        try:
            with open(path, "rb") as f:
                bucket.load_bytecode(f)
            os.utime(path)     # in use: not removed by `_prune`
        except OSError:
            pass        # not cached yet: compiled

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = self.folder / bucket.key
        tmp = path.with_name(f"{bucket.key}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                bucket.write_bytecode(f)
            os.replace(tmp, path)      # whole or not at all: another build may be reading it
        except OSError:
            tmp.unlink(missing_ok=True)    # no writable cache: templates are compiled each build
            return
        if not self.pruned:
            self.pruned = True
            self._prune()

    def _prune(self) -> None:
        """Remove the entries no build has loaded for KEEP_SECONDS (of other theme versions, other
        yunzhao versions, deleted sites), and temporary files left by a killed build."""
        now = time.time()
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    try:
                        age = now - entry.stat().st_mtime
                        if age > KEEP_SECONDS or (entry.name.endswith(".tmp") and age > 3600):
                            os.unlink(entry.path)
                    except OSError:
                        pass       # gone already, or not ours to remove
        except OSError:
            pass


def for_user() -> TemplateCodeCache:
    return TemplateCodeCache(user_cache() / "templates")
