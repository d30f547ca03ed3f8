"""Posters and PDFs of earlier builds, reused when nothing they are made from has changed.

Drawing a poster or laying out a PDF takes a good part of a second, and a rebuild after a small
edit (or `yunzhao serve` after every save) would otherwise redo them all. An entry is keyed by a
hash of everything that decides its bytes (the texts, the fonts' files, the pictures, the
versions of the libraries that draw), so a stale entry is never used. Entries live in
`<site>/.yunzhao-cache/brochures/`, never in output/; those unused for 30 days are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

FOLDER = ".yunzhao-cache/brochures"
KEEP_SECONDS = 30 * 24 * 3600
DONE = "done.json"


def key(*parts) -> str:
    """A hash of the inputs; Paths stand for their file's bytes, so an edited file is a new key."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            digest.update(b"file\0" + (part.read_bytes() if part.is_file() else b"missing"))
        elif isinstance(part, bytes):
            digest.update(b"bytes\0" + part)
        else:
            digest.update(json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode())
        digest.update(b"\1")
    return digest.hexdigest()


def font_stamp(path: str) -> list:
    """A font file stands for itself by name, size and time: fonts are large and rarely change."""
    info = os.stat(path)
    return [path, info.st_size, info.st_mtime_ns]


class DrawnCache:
    def __init__(self, root: Path):
        self.folder = Path(root) / FOLDER
        self.used: set[str] = set()

    def get(self, entry_key: str) -> dict[str, bytes] | None:
        entry = self.folder / entry_key[:2] / entry_key
        try:
            names = json.loads((entry / DONE).read_text("utf-8"))["files"]
            files = {name: (entry / name).read_bytes() for name in names}
            os.utime(entry / DONE)            # used now: kept another 30 days
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self.used.add(entry_key)
        return files

    def put(self, entry_key: str, files: dict[str, bytes]) -> None:
        """Write into a temporary folder, then rename: a killed build never leaves half an entry."""
        entry = self.folder / entry_key[:2] / entry_key
        temporary = entry.with_name(f"{entry_key}.tmp-{os.getpid()}")
        try:
            shutil.rmtree(temporary, ignore_errors=True)
            temporary.mkdir(parents=True)
            for name, data in files.items():
                (temporary / name).write_bytes(data)
            (temporary / DONE).write_text(json.dumps({"files": sorted(files)}), "utf-8")
            shutil.rmtree(entry, ignore_errors=True)
            os.rename(temporary, entry)
        except OSError:
            shutil.rmtree(temporary, ignore_errors=True)     # a cache that cannot be written is no cache
            return
        self.used.add(entry_key)

    def prune(self) -> None:
        if not self.folder.is_dir():
            return
        now = time.time()
        for entry in self.folder.glob("*/*"):
            if entry.name in self.used:
                continue
            try:
                stamp = (entry if ".tmp-" in entry.name else entry / DONE).stat().st_mtime
            except OSError:
                stamp = 0
            if now - stamp > (3600 if ".tmp-" in entry.name else KEEP_SECONDS):
                shutil.rmtree(entry, ignore_errors=True)
