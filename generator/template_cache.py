"""Compiled theme templates kept between builds, in the user's cache.

Compiling the templates a page kind uses takes 10–60 ms each time a build starts: most of an
incremental build that renders a few dozen pages. Jinja can keep the compiled code; we keep it
in `~/.cache/yunzhao/templates/`, not in the site's `.yunzhao-cache/`, because compiled code is
run as it is loaded: a site folder received from someone else must not bring code with it.

An entry is found by the template's name and file, yunzhao's code (our code generator changes
what a template compiles to) and Python's version; Jinja itself then checks it against the
template's source, so an edited template is compiled again.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import jinja2

from .content.file_cache import code_stamp


def user_cache() -> Path:
    """The per-user cache folder (`$XDG_CACHE_HOME/yunzhao`, else `~/.cache/yunzhao`)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "yunzhao"


class TemplateCodeCache(jinja2.BytecodeCache):
    def __init__(self, folder: Path):
        self.folder = folder

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(f"{code_stamp()}\0{name}\0{filename}".encode()).hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            with open(self.folder / bucket.key, "rb") as f:
                bucket.load_bytecode(f)
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


def for_user() -> TemplateCodeCache:
    return TemplateCodeCache(user_cache() / "templates")
